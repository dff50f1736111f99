/*
 * What every page does once it is read (loaded with defer by base.html; the CSP allows
 * no inline script). Each part is an improvement: without this file every page works.
 *  - Tables marked .tarjetas: each cell gets its column's header as data-label, and the
 *    table is marked data-tarjetas, so that buzon.css shows one card per row on phones.
 *  - .selector-archivo: the chosen file's name and size beside «Seleccionar archivo».
 *  - .resumen-errores[data-enfocar]: a page that comes back with errors moves the focus
 *    to their summary, so that it is read first.
 *  - Links in <main> carry their whole address (data-url) for the print style.
 *  - The phone menu (<details class="menu-principal">) closes with Escape.
 */
(function () {
  "use strict";

  function tarjetas() {
    document.querySelectorAll("table.tarjetas").forEach(function (tabla) {
      var encabezados = Array.prototype.map.call(
        tabla.querySelectorAll("thead th"),
        function (th) {
          return th.textContent.replace(/\s+/g, " ").trim();
        }
      );
      tabla.querySelectorAll("tbody tr").forEach(function (fila) {
        var columna = 0;
        Array.prototype.forEach.call(fila.children, function (celda) {
          if (!celda.hasAttribute("data-label")) {
            celda.setAttribute("data-label", encabezados[columna] || "");
          }
          columna += celda.colSpan || 1;
        });
      });
      tabla.setAttribute("data-tarjetas", "");
    });
  }

  function tamano(bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    if (bytes < 1024 * 1024) {
      return (bytes / 1024).toLocaleString("es-MX", { maximumFractionDigits: 1 }) + " KB";
    }
    return (bytes / (1024 * 1024)).toLocaleString("es-MX", { maximumFractionDigits: 1 }) + " MB";
  }

  function selectoresDeArchivo() {
    document.querySelectorAll(".selector-archivo").forEach(function (caja) {
      var entrada = caja.querySelector("input[type=file]");
      var nombre = caja.querySelector(".nombre-archivo");
      if (!entrada || !nombre || caja.getAttribute("data-nombre") === "propio") {
        return;
      }
      var vacio = nombre.textContent;
      function mostrar() {
        var archivo = entrada.files && entrada.files[0];
        nombre.textContent = archivo ? archivo.name + " (" + tamano(archivo.size) + ")" : vacio;
      }
      entrada.addEventListener("change", mostrar);
      mostrar(); // a file the browser kept after Back
    });
  }

  function enfocarErrores() {
    // A summary's links lead to their field, focused even when it is visually hidden
    // (a file input behind «Seleccionar archivo»).
    document.querySelectorAll(".resumen-errores").forEach(function (resumen) {
      resumen.addEventListener("click", function (evento) {
        var enlace = evento.target.closest("a[href^='#']");
        var campo = enlace && document.getElementById(enlace.getAttribute("href").slice(1));
        if (campo) {
          evento.preventDefault();
          campo.focus();
        }
      });
    });
    var resumen = document.querySelector(".resumen-errores[data-enfocar]");
    if (resumen && !resumen.hidden) {
      resumen.focus();
    }
  }

  function direccionesParaImprimir() {
    document.querySelectorAll("main a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (href && href.charAt(0) !== "#" && href.indexOf("tel:") !== 0) {
        a.setAttribute("data-url", a.href);
      }
    });
  }

  function menuConEscape() {
    document.querySelectorAll("details.menu-principal").forEach(function (menu) {
      menu.addEventListener("keydown", function (evento) {
        if (evento.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  tarjetas();
  selectoresDeArchivo();
  direccionesParaImprimir();
  menuConEscape();
  enfocarErrores();
})();
