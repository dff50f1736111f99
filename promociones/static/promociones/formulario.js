// Nueva Solicitud. The form works without this script (a plain POST, the page comes
// back with its messages); with it:
// - a live character counter that counts as the server does;
// - the draft: what is written is saved on the server as the person writes (a pause
//   of PAUSA_MS after the last change), so an expired session loses nothing;
// - one filing per intention: the form's key (the draft's) is also kept in a field the
//   browser restores on Back, so sending a page that was already filed shows its folio;
//   the button works once per submission;
// - the evidence checked here, before any byte is sent: .zip, not empty, under the
//   limit, each with the server's own message naming the file and what it weighs;
// - the other fields checked by the server first (no file sent), every error next to
//   its field and summarised on top with the focus there, the chosen file kept;
// - the upload with a progress bar, its answer read without leaving the page.
(function () {
  "use strict";
  var form = document.getElementById("form-solicitud");
  if (!form) { return; }
  function $(id) { return document.getElementById(id); }
  var area = $("descripcion");
  var asunto = $("asunto");
  var telefono = $("telefono");
  var contador = $("contador-descripcion");
  var archivo = $("evidencia");
  var nombre = $("nombre-archivo");
  var boton = $("enviar");
  var progreso = $("progreso");
  var estadoEnvio = $("estado-envio");
  var estadoBorrador = $("estado-borrador");
  var resumen = $("resumen-errores");
  var aviso = $("sesion-terminada");
  var clave = form.querySelector("input[name=clave_idempotencia]");
  var claveDePagina = $("clave-de-pagina");
  var propietario = form.querySelector("input[name=propietario]");
  var urlBorrador = form.getAttribute("data-borrador-url");
  var limite = parseInt(form.getAttribute("data-limite-bytes"), 10);
  var maximo = parseInt(area.getAttribute("data-maximo"), 10);
  var miles = new Intl.NumberFormat("es-MX");
  var CAMPOS = ["asunto", "descripcion", "telefono", "evidencia"];
  var PAUSA_MS = 1500;
  var MENSAJE_RED = "No se pudo comunicar con el Buzón IMSS. Revisa tu conexión e inténtalo de nuevo; lo que escribiste sigue aquí.";
  var moderno = !!(window.fetch && window.FormData && window.XMLHttpRequest && window.Promise &&
    window.JSON && window.CustomEvent);

  // --- The form's key --------------------------------------------------------------
  // A field without a name the browser restores on Back (a hidden input it would not):
  // empty on a fresh page, it takes the key the server rendered; restored, it holds the
  // key of the page the person had, which is then the one sent.
  // Chrome restores it after this script has run, so it is read whenever the key is
  // needed, not only now.
  if (!claveDePagina.value) { claveDePagina.value = clave.value; }
  function claveActual() {
    if (claveDePagina.value) { clave.value = claveDePagina.value; }
    return clave.value;
  }
  function fijarClave(valor) {
    if (valor) { clave.value = valor; claveDePagina.value = valor; }
  }

  // --- Counter ---------------------------------------------------------------------
  var segmentador = (typeof Intl !== "undefined" && Intl.Segmenter)
    ? new Intl.Segmenter("es-MX", { granularity: "grapheme" }) : null;

  // Counts what a person sees, as the server does: CRLF or CR is one newline and a
  // grapheme cluster (an emoji with modifiers, a letter with its accent) is one character.
  function contar(texto) {
    var normal = texto.replace(/\r\n?/g, "\n");
    if (!segmentador) { return Array.from(normal).length; }
    var n = 0;
    for (var it = segmentador.segment(normal)[Symbol.iterator](), s = it.next(); !s.done; s = it.next()) { n++; }
    return n;
  }

  function actualizarContador() {
    var n = contar(area.value);
    contador.textContent = miles.format(n) + " de " + miles.format(maximo) + " caracteres";
    var excedido = n > maximo;
    contador.classList.toggle("error", excedido);
    if (excedido) {
      contador.textContent += " · excede el límite por " + miles.format(n - maximo);
    }
  }
  area.addEventListener("input", actualizarContador);
  actualizarContador();
  // Back: the browser puts the text back after this script ran.
  window.addEventListener("pageshow", actualizarContador);

  // --- Errors next to their fields, summarised on top --------------------------------
  function describir(entrada, id, poner) {
    var ids = (entrada.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (poner) { ids.push(id); }
    if (ids.length) { entrada.setAttribute("aria-describedby", ids.join(" ")); } else { entrada.removeAttribute("aria-describedby"); }
  }

  // Where each field's message goes (the page renders it there too, when it has one).
  var DESPUES_DE = {
    asunto: "asunto",
    descripcion: "contador-descripcion",
    telefono: "ayuda-telefono",
    evidencia: "selector-evidencia",
  };

  function marcar(campo, mensaje) {
    var entrada = $(campo);
    var ancla = $(DESPUES_DE[campo]);
    if (!entrada || !ancla) { return false; }
    var p = $("error-" + campo);
    if (mensaje) {
      if (!p) {
        p = document.createElement("p");
        p.className = "error";
        p.id = "error-" + campo;
        p.setAttribute("data-testid", "error-" + campo);
        ancla.parentNode.insertBefore(p, ancla.nextSibling);
      }
      p.textContent = mensaje;
      entrada.setAttribute("aria-invalid", "true");
    } else {
      if (p) { p.parentNode.removeChild(p); }
      entrada.removeAttribute("aria-invalid");
    }
    describir(entrada, "error-" + campo, !!mensaje);
    return true;
  }

  function limpiarErrores() {
    CAMPOS.forEach(function (campo) { marcar(campo, ""); });
    var general = $("error-formulario");
    if (general) { general.parentNode.removeChild(general); }
    resumen.hidden = true;
  }

  function mostrarErrores(errores) {
    limpiarErrores();
    var lista = resumen.querySelector("ul");
    lista.textContent = "";
    var claves = Object.keys(errores).sort(function (a, b) {
      return CAMPOS.indexOf(a) - CAMPOS.indexOf(b);  // the form's order, general ones first
    });
    claves.forEach(function (campo) {
      var li = document.createElement("li");
      if (CAMPOS.indexOf(campo) >= 0 && marcar(campo, errores[campo])) {
        var enlace = document.createElement("a");
        enlace.href = "#" + campo;
        enlace.textContent = errores[campo];
        li.appendChild(enlace);
      } else {
        li.textContent = errores[campo];
      }
      lista.appendChild(li);
    });
    resumen.hidden = false;
    resumen.focus();
  }

  resumen.addEventListener("click", function (evento) {
    var enlace = evento.target.closest ? evento.target.closest("a[href^='#']") : null;
    var destino = enlace ? $(enlace.getAttribute("href").slice(1)) : null;
    if (destino) {
      evento.preventDefault();
      destino.focus();
    }
  });
  if (!resumen.hidden) { resumen.focus(); }  // the page came back with errors

  // --- Evidence, checked before any byte is sent ------------------------------------
  // "11744051" → "11.2 MB", rounded as the server's Python rounds (half to even).
  function megabytes(n) {
    var mb = 1048576;
    var decimos = Math.floor(n * 10 / mb);
    var resto = n * 10 - decimos * mb;
    if (2 * resto > mb || (2 * resto === mb && decimos % 2 === 1)) { decimos += 1; }
    return Math.floor(decimos / 10).toLocaleString("en-US") + "." + (decimos % 10) + " MB";
  }

  function mensaje(atributo, valores) {
    var texto = form.getAttribute(atributo) || "";
    Object.keys(valores).forEach(function (k) { texto = texto.split("{" + k + "}").join(valores[k]); });
    return texto;
  }

  function errorDeArchivo(f) {
    if (!f) { return ""; }
    if (!/\.zip$/i.test(f.name)) { return mensaje("data-mensaje-extension", { nombre: f.name }); }
    if (f.size === 0) { return mensaje("data-mensaje-vacio", { nombre: f.name }); }
    if (f.size >= limite) { return mensaje("data-mensaje-tamano", { nombre: f.name, tamano: megabytes(f.size) }); }
    return "";
  }

  archivo.addEventListener("change", function () {
    var f = archivo.files && archivo.files[0];
    nombre.textContent = f
      ? "Archivo seleccionado: «" + f.name + "», " + megabytes(f.size) + " (" + miles.format(f.size) + " bytes)."
      : "Ningún archivo seleccionado";
    marcar("evidencia", errorDeArchivo(f));
  });

  // --- The session ------------------------------------------------------------------
  function renovada(segundos) {
    if (typeof segundos === "number") {
      document.dispatchEvent(new CustomEvent("buzon:sesion-renovada", { detail: { segundos: segundos } }));
    }
  }
  function sesionTerminada() {
    if (aviso && aviso.hidden) {
      aviso.hidden = false;
      aviso.focus();
    }
  }

  if (!moderno) { return; }  // a plain form from here on

  // --- The draft --------------------------------------------------------------------
  function token() {
    var campo = form.querySelector("input[name=csrfmiddlewaretoken]");
    return campo ? campo.value : "";
  }

  function pedirBorrador(extra, alSalir) {
    var datos = {
      asunto: asunto.value,
      descripcion: area.value,
      telefono: telefono.value,
      clave_idempotencia: claveActual(),
      propietario: propietario.value,
    };
    Object.keys(extra).forEach(function (k) { datos[k] = extra[k]; });
    return fetch(urlBorrador, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!alSalir,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token() },
      body: JSON.stringify(datos),
    }).then(function (r) {
      return r.json().then(
        function (d) { return { status: r.status, datos: d }; },
        function () { return { status: r.status, datos: {} }; }
      );
    });
  }

  // What a save answered: the session's time left, the key, and what to tell the person.
  function atender(r) {
    var d = r.datos || {};
    if (r.status === 401) {
      sesionTerminada();
      return;
    }
    if (r.status !== 200) {
      estadoBorrador.textContent = "No se guardó el borrador. " + (d.mensaje || "");
      return;
    }
    renovada(d.segundos_restantes);
    var errores = d.errores || {};
    if (d.presentada) {
      estadoBorrador.textContent = "Esta solicitud ya se registró con el folio " + d.presentada + ".";
    } else if (d.guardado) {
      fijarClave(d.clave);
      estadoBorrador.textContent = "Borrador guardado a las " + d.hora + ".";
    } else if (Object.keys(errores).length) {
      estadoBorrador.textContent = "No se guardó el borrador: " + errores[Object.keys(errores)[0]];
    }
  }

  // Only what changed since the last save is saved: a field that merely loses the focus
  // (to the session's dialog, say) is no activity and must not renew the session.
  function contenido() {
    return JSON.stringify([asunto.value, area.value, telefono.value]);
  }
  var guardado = contenido();
  var temporizador = null;
  function guardar(alSalir) {
    if (temporizador) { window.clearTimeout(temporizador); temporizador = null; }
    var ahora = contenido();
    if (ahora === guardado) { return; }
    guardado = ahora;
    pedirBorrador({}, alSalir).then(atender).catch(function () {
      guardado = "";  // tried again at the next change or when leaving
      estadoBorrador.textContent = "No se pudo guardar el borrador; lo intentaremos de nuevo.";
    });
  }
  function programar() {
    if (temporizador) { window.clearTimeout(temporizador); }
    temporizador = window.setTimeout(guardar, PAUSA_MS);
  }
  [asunto, area, telefono].forEach(function (campo) {
    campo.addEventListener("input", programar);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { guardar(true); }
  });
  // At the end of the session, what was not yet saved goes too: the server keeps it for
  // its owner until the login.
  document.addEventListener("buzon:sesion-terminada", function () { guardar(false); });

  // --- Sending ----------------------------------------------------------------------
  function ocupado(si, texto) {
    boton.disabled = si;
    boton.textContent = si ? "Enviando…" : "Enviar";
    estadoEnvio.textContent = texto || "";
    if (!si) { progreso.classList.add("oculto"); }
  }

  // Back into a page kept whole by the browser: the button must work again.
  window.addEventListener("pageshow", function (evento) {
    if (evento.persisted) { ocupado(false); }
  });

  function leerRespuesta(xhr) {
    try {
      return JSON.parse(xhr.responseText);
    } catch (e) {
      return null;
    }
  }

  function subir() {
    var f = archivo.files && archivo.files[0];
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    if (f) {
      progreso.value = 0;
      progreso.classList.remove("oculto");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { progreso.value = Math.round((e.loaded / e.total) * 100); }
      });
    }
    ocupado(true, f ? "Enviando tu solicitud y su archivo…" : "Enviando tu solicitud…");
    claveActual();  // FormData reads the hidden field
    xhr.addEventListener("load", function () {
      var d = leerRespuesta(xhr);
      if (d && d.redirigir) {
        estadoEnvio.textContent = "Listo. Abriendo tu folio…";
        window.location.assign(d.redirigir);
        return;
      }
      ocupado(false);
      if (d && d.clave) { fijarClave(d.clave); }
      if (d && d.errores) {
        mostrarErrores(d.errores);
      } else {
        mostrarErrores({ formulario: (d && d.mensaje) || "No se pudo recibir el envío (error " + xhr.status + "). Inténtalo de nuevo; lo que escribiste sigue aquí." });
      }
    });
    xhr.addEventListener("error", function () {
      ocupado(false);
      mostrarErrores({ formulario: MENSAJE_RED });
    });
    xhr.send(new FormData(form));
  }

  form.addEventListener("submit", function (evento) {
    evento.preventDefault();
    if (boton.disabled) { return; }  // a double click: one submission
    var f = archivo.files && archivo.files[0];
    var deArchivo = errorDeArchivo(f);
    ocupado(true, "Revisando tus datos…");
    if (temporizador) { window.clearTimeout(temporizador); temporizador = null; }
    guardado = contenido();
    // The fields first, without the file: saved as the draft and checked as filing
    // checks them; the file is sent only when nothing else stops it.
    pedirBorrador({ validar: true, hay_evidencia: !!f }).then(function (r) {
      var d = r.datos || {};
      if (r.status === 401 && d.redirigir) {
        estadoEnvio.textContent = d.mensaje || "";
        window.location.assign(d.redirigir);  // log in again, then back to this draft
        return;
      }
      atender(r);
      if (r.status !== 200) {
        ocupado(false);
        mostrarErrores({ formulario: d.mensaje || MENSAJE_RED });
        return;
      }
      var errores = d.errores || {};
      if (deArchivo) { errores.evidencia = deArchivo; }
      if (Object.keys(errores).length) {
        ocupado(false);
        mostrarErrores(errores);
        return;
      }
      limpiarErrores();
      subir();
    }).catch(function () {
      ocupado(false);
      mostrarErrores({ formulario: MENSAJE_RED });
    });
  });
}());
