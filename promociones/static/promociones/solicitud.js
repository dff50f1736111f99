// Nueva Solicitud: live character counter, chosen file name, one submission, upload progress.
// The form works without this script; it only adds feedback.
(function () {
  "use strict";
  var form = document.getElementById("form-solicitud");
  if (!form) { return; }
  var area = document.getElementById("descripcion");
  var contador = document.getElementById("contador-descripcion");
  var archivo = document.getElementById("evidencia");
  var nombre = document.getElementById("nombre-archivo");
  var boton = document.getElementById("enviar");
  var progreso = document.getElementById("progreso");
  var maximo = parseInt(area.getAttribute("data-maximo"), 10);
  var miles = new Intl.NumberFormat("es-MX");
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

  function actualizar() {
    var n = contar(area.value);
    contador.textContent = miles.format(n) + " de " + miles.format(maximo) + " caracteres";
    var excedido = n > maximo;
    contador.classList.toggle("error", excedido);
    if (excedido) {
      contador.textContent += " · excede el límite por " + miles.format(n - maximo);
    }
  }
  area.addEventListener("input", actualizar);
  actualizar();

  archivo.addEventListener("change", function () {
    var f = archivo.files && archivo.files[0];
    nombre.textContent = f
      ? "Archivo seleccionado: " + f.name + " (" + miles.format(f.size) + " bytes)"
      : "";
  });

  form.addEventListener("submit", function (evento) {
    if (boton.disabled) { evento.preventDefault(); return; }
    boton.disabled = true;
    boton.textContent = "Enviando…";
    var f = archivo.files && archivo.files[0];
    if (!f || !window.XMLHttpRequest || !window.FormData) { return; }  // a normal POST
    evento.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    progreso.classList.remove("oculto");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { progreso.value = Math.round((e.loaded / e.total) * 100); }
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL.split("#")[0] !== form.action) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // The form came back with messages next to the fields: show it as a page would.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      boton.disabled = false;
      boton.textContent = "Enviar";
      progreso.classList.add("oculto");
      nombre.textContent = "No se pudo enviar la solicitud. Revisa tu conexión e inténtalo de nuevo.";
    });
    xhr.send(new FormData(form));
  });
}());
