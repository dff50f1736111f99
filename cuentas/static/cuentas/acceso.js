/*
 * e.firma login in the browser. The private key and its password never leave this page:
 * both files are read here (FileReader), the SAT .key (PKCS#8, PBES2 + DES-EDE3-CBC) is
 * decrypted with node-forge, checked against the certificate, and used to sign a one-time
 * challenge from the server (RSA PKCS#1 v1.5, SHA-256). Only the RFC, the certificate
 * (base64 DER), the challenge id and the signature are posted.
 */
(function () {
  "use strict";

  var MENSAJES = {
    faltaRfc: "Escribe tu RFC.",
    faltaCertificado: "Selecciona el archivo de tu certificado (.cer).",
    faltaLlave: "Selecciona el archivo de tu llave privada (.key).",
    faltaContrasena: "Escribe la contraseña de tu llave privada.",
    noEsCertificado:
      "El archivo no es un certificado. Selecciona el archivo .cer de tu e.firma.",
    noEsLlave:
      "El archivo no es una llave privada. Selecciona el archivo .key de tu e.firma.",
    contrasena:
      "La contraseña de la llave privada es incorrecta. Escríbela de nuevo; distingue mayúsculas y minúsculas.",
    noCorresponde:
      "La llave privada no corresponde al certificado. Selecciona el archivo .key que obtuviste junto con este archivo .cer.",
    red: "No fue posible comunicarse con el Buzón IMSS. Revisa tu conexión e inténtalo de nuevo.",
  };
  var CAMPOS = ["rfc", "certificado", "llave", "contrasena"];

  var form = document.getElementById("form-acceso");
  if (!form || typeof forge === "undefined") {
    return;
  }
  var boton = document.getElementById("validar");
  var estado = document.getElementById("estado");
  var general = document.getElementById("error-general");
  var resumen = document.getElementById("resumen-errores");

  function mostrar(campo, mensaje) {
    var destino = campo ? document.getElementById("error-" + campo) : null;
    if (!destino) {
      destino = general;
    }
    destino.textContent = mensaje;
    destino.hidden = false;
    var entrada = campo ? document.getElementById(campo) : null;
    if (entrada) {
      entrada.setAttribute("aria-invalid", "true");
    }
  }

  // Every problem shown, summarised on top of the form, each a link to its field; the
  // focus moves to the summary so that it is read first (WCAG 3.3.1).
  function resumir() {
    if (!resumen) {
      return;
    }
    var lista = resumen.querySelector("ul");
    lista.textContent = "";
    ["general"].concat(CAMPOS).forEach(function (campo) {
      var p = document.getElementById("error-" + campo);
      if (!p || p.hidden || !p.textContent) {
        return;
      }
      var li = document.createElement("li");
      var entrada = document.getElementById(campo);
      if (entrada) {
        var a = document.createElement("a");
        a.href = "#" + campo;
        a.textContent = p.textContent; // buzon.js focuses the field on click
        li.appendChild(a);
      } else {
        li.textContent = p.textContent;
      }
      lista.appendChild(li);
    });
    resumen.hidden = false;
    resumen.focus();
  }

  function limpiar() {
    if (resumen) {
      resumen.hidden = true;
    }
    general.hidden = true;
    general.textContent = "";
    CAMPOS.forEach(function (campo) {
      var p = document.getElementById("error-" + campo);
      p.hidden = true;
      p.textContent = "";
      document.getElementById(campo).removeAttribute("aria-invalid");
    });
  }

  function Falla(campo, mensaje) {
    this.campo = campo;
    this.mensaje = mensaje;
  }

  function leerBinario(archivo) {
    return new Promise(function (resolver, rechazar) {
      var lector = new FileReader();
      lector.onload = function () {
        var bytes = new Uint8Array(lector.result);
        var partes = [];
        // Chunks keep String.fromCharCode's argument list small for large files.
        for (var i = 0; i < bytes.length; i += 8192) {
          partes.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 8192)));
        }
        resolver(partes.join(""));
      };
      lector.onerror = function () {
        rechazar(lector.error);
      };
      lector.readAsArrayBuffer(archivo);
    });
  }

  function esPem(binario) {
    return binario.indexOf("-----BEGIN") !== -1;
  }

  function leerCertificado(binario) {
    // Returns {der, publica}; DER as SAT hands it out, or PEM.
    try {
      var der = esPem(binario) ? forge.pem.decode(binario)[0].body : binario;
      var cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(der));
      if (!cert.publicKey || !cert.publicKey.n) {
        throw new Error("sin llave RSA");
      }
      return { der: der, publica: cert.publicKey };
    } catch (e) {
      throw new Falla("certificado", MENSAJES.noEsCertificado);
    }
  }

  function esPkcs8Cifrada(a) {
    // EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier SEQUENCE { OID, ... },
    // OCTET STRING }. Checked here so that "not a key" and "wrong password" differ.
    var U = forge.asn1.Type;
    return (
      a.tagClass === forge.asn1.Class.UNIVERSAL &&
      a.type === U.SEQUENCE &&
      a.value.length === 2 &&
      a.value[0].type === U.SEQUENCE &&
      a.value[0].value.length >= 1 &&
      a.value[0].value[0].type === U.OID &&
      a.value[1].type === U.OCTETSTRING
    );
  }

  function leerLlave(binario, contrasena) {
    var clave = forge.util.encodeUtf8(contrasena);
    var cifrada;
    if (esPem(binario)) {
      var bloque;
      try {
        bloque = forge.pem.decode(binario)[0];
      } catch (e) {
        throw new Falla("llave", MENSAJES.noEsLlave);
      }
      if (bloque.type === "PRIVATE KEY" || bloque.type === "RSA PRIVATE KEY") {
        try {
          return forge.pki.privateKeyFromPem(binario);
        } catch (e) {
          throw new Falla("llave", MENSAJES.noEsLlave);
        }
      }
      if (bloque.type !== "ENCRYPTED PRIVATE KEY") {
        throw new Falla("llave", MENSAJES.noEsLlave);
      }
      binario = bloque.body;
    }
    try {
      cifrada = forge.asn1.fromDer(binario);
    } catch (e) {
      throw new Falla("llave", MENSAJES.noEsLlave);
    }
    if (!esPkcs8Cifrada(cifrada)) {
      throw new Falla("llave", MENSAJES.noEsLlave);
    }
    var info;
    try {
      info = forge.pki.decryptPrivateKeyInfo(cifrada, clave);
    } catch (e) {
      info = null;
    }
    if (!info) {
      throw new Falla("contrasena", MENSAJES.contrasena);
    }
    try {
      return forge.pki.privateKeyFromAsn1(info);
    } catch (e) {
      // A wrong password can still unpad by chance (1 in 256); the result is then noise.
      throw new Falla("contrasena", MENSAJES.contrasena);
    }
  }

  function tokenCsrf() {
    var campo = form.querySelector("input[name=csrfmiddlewaretoken]");
    return campo ? campo.value : "";
  }

  function pedir(url, cuerpo) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": tokenCsrf(),
      },
      body: cuerpo === undefined ? "{}" : JSON.stringify(cuerpo),
    }).then(
      function (respuesta) {
        return respuesta.json().then(
          function (datos) {
            return { ok: respuesta.ok, datos: datos };
          },
          function () {
            throw new Falla(null, MENSAJES.red);
          }
        );
      },
      function () {
        throw new Falla(null, MENSAJES.red);
      }
    );
  }

  function validar(evento) {
    evento.preventDefault();
    limpiar();
    var rfc = document.getElementById("rfc").value.trim().toUpperCase();
    var archivoCer = document.getElementById("certificado").files[0];
    var archivoKey = document.getElementById("llave").files[0];
    var contrasena = document.getElementById("contrasena").value;
    var faltan = false;
    if (!rfc) {
      mostrar("rfc", MENSAJES.faltaRfc);
      faltan = true;
    }
    if (!archivoCer) {
      mostrar("certificado", MENSAJES.faltaCertificado);
      faltan = true;
    }
    if (!archivoKey) {
      mostrar("llave", MENSAJES.faltaLlave);
      faltan = true;
    }
    if (!contrasena) {
      mostrar("contrasena", MENSAJES.faltaContrasena);
      faltan = true;
    }
    if (faltan) {
      resumir();
      return;
    }
    boton.disabled = true;
    estado.textContent = "Validando tu e.firma…";
    var certificado;
    var llave;
    Promise.all([leerBinario(archivoCer), leerBinario(archivoKey)])
      .then(function (binarios) {
        // Both files are checked so that each field shows its own problem at once.
        var fallas = [];
        try {
          certificado = leerCertificado(binarios[0]);
        } catch (e) {
          fallas.push(e);
        }
        try {
          llave = leerLlave(binarios[1], contrasena);
        } catch (e) {
          fallas.push(e);
        }
        if (fallas.length) {
          throw fallas;
        }
        if (
          !llave.n.equals(certificado.publica.n) ||
          !llave.e.equals(certificado.publica.e)
        ) {
          throw new Falla("llave", MENSAJES.noCorresponde);
        }
        return pedir(form.dataset.retoUrl);
      })
      .then(function (r) {
        if (!r.ok) {
          throw new Falla(r.datos.campo || null, r.datos.mensaje || MENSAJES.red);
        }
        var md = forge.md.sha256.create();
        md.update(r.datos.reto, "utf8");
        return pedir(form.action, {
          rfc: rfc,
          certificado: forge.util.encode64(certificado.der),
          reto_id: r.datos.reto_id,
          firma: forge.util.encode64(llave.sign(md)),
          siguiente: form.dataset.siguiente || "",
        });
      })
      .then(function (r) {
        if (!r.ok) {
          throw new Falla(r.datos.campo || null, r.datos.mensaje || MENSAJES.red);
        }
        estado.textContent = "Acceso validado. Entrando…";
        window.location.assign(r.datos.redirigir);
      })
      .catch(function (error) {
        boton.disabled = false;
        estado.textContent = "";
        if (Array.isArray(error)) {
          error.forEach(function (f) {
            mostrar(f.campo, f.mensaje);
          });
        } else if (error instanceof Falla) {
          mostrar(error.campo, error.mensaje);
        } else {
          mostrar(null, MENSAJES.red);
        }
        resumir();
      });
  }

  form.addEventListener("submit", validar);
  boton.disabled = false;
})();
