// The idle session's warning (cuentas/jinja2/cuentas/aviso_sesion.html).
//
// The server renders how many seconds the session has left (data-segundos-restantes;
// the cookie cannot tell: it is HttpOnly and ends with the browser). Some time before
// the end (data-aviso-segundos) a modal alert dialog asks whether to stay; «Seguir
// conectado», or Escape, renews the session (POST, CSRF) and the countdown starts over.
// When the time is up the dialog gives way to a notice with a link to log in again.
//
// Other scripts tell this one what the server answered them:
//   document.dispatchEvent(new CustomEvent("buzon:sesion-renovada", {detail: {segundos: n}}))
// and it announces the end with the event "buzon:sesion-terminada". Tabs of the same
// site share the latest expiry through localStorage, so a page left open in one tab
// does not warn while the person works in another.
(function () {
  "use strict";
  var dialogo = document.getElementById("aviso-sesion");
  if (!dialogo || typeof dialogo.showModal !== "function" || !window.fetch) {
    return;
  }
  var terminada = document.getElementById("sesion-terminada");
  var restante = dialogo.querySelector("[data-restante]");
  var boton = dialogo.querySelector("[data-seguir]");
  var error = dialogo.querySelector("[data-error]");
  var avisoMs = parseInt(dialogo.getAttribute("data-aviso-segundos"), 10) * 1000;
  var url = dialogo.getAttribute("data-renovar-url");
  var CLAVE = "buzon-sesion-vence";
  var vence = 0;
  var acabada = false;
  var previo = null;

  function token() {
    var campo = document.querySelector("input[name=csrfmiddlewaretoken]");
    return campo ? campo.value : "";
  }

  function enPalabras(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(s / 60);
    var r = s % 60;
    var partes = [];
    if (m) { partes.push(m + (m === 1 ? " minuto" : " minutos")); }
    if (r || !m) { partes.push(r + (r === 1 ? " segundo" : " segundos")); }
    return partes.join(" y ");
  }

  function fijar(segundos) {
    vence = Date.now() + segundos * 1000;
    try { window.localStorage.setItem(CLAVE, String(vence)); } catch (e) { /* private mode */ }
  }

  function abrir() {
    previo = document.activeElement;
    error.hidden = true;
    dialogo.showModal();
    boton.focus();
  }

  function cerrar() {
    if (!dialogo.open) { return; }
    dialogo.close();
    if (previo && typeof previo.focus === "function") { previo.focus(); }
  }

  function terminar() {
    acabada = true;
    cerrar();
    if (terminada) {
      terminada.hidden = false;
      terminada.focus();
    }
    document.dispatchEvent(new CustomEvent("buzon:sesion-terminada"));
  }

  function tic() {
    if (acabada) { return; }
    var queda = vence - Date.now();
    if (queda <= 0) {
      terminar();
    } else if (queda <= avisoMs) {
      restante.textContent = enPalabras(queda);
      if (!dialogo.open) { abrir(); }
    } else {
      cerrar();  // renewed meanwhile (this page's work or another tab)
    }
  }

  function seguir() {
    if (boton.disabled) { return; }
    boton.disabled = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), Accept: "application/json" },
    }).then(function (r) {
      return r.json().then(function (datos) { return { status: r.status, datos: datos }; });
    }).then(function (r) {
      boton.disabled = false;
      if (r.status === 200) {
        fijar(r.datos.segundos_restantes);
        cerrar();
      } else if (r.status === 401) {
        terminar();
      } else {
        throw new Error(String(r.status));
      }
    }).catch(function () {
      boton.disabled = false;
      error.textContent = "No pudimos comunicarnos con el Buzón IMSS. Revisa tu conexión e inténtalo de nuevo.";
      error.hidden = false;
    });
  }

  boton.addEventListener("click", seguir);
  // Escape: whoever presses it is here, which is what the question asks.
  dialogo.addEventListener("cancel", function (evento) {
    evento.preventDefault();
    seguir();
  });
  document.addEventListener("buzon:sesion-renovada", function (evento) {
    if (!acabada && evento.detail && typeof evento.detail.segundos === "number") {
      fijar(evento.detail.segundos);
      tic();
    }
  });
  window.addEventListener("storage", function (evento) {
    var otra = evento.key === CLAVE ? parseInt(evento.newValue, 10) : 0;
    if (!acabada && otra > vence) {
      vence = otra;
      tic();
    }
  });

  fijar(parseInt(dialogo.getAttribute("data-segundos-restantes"), 10));
  window.setInterval(tic, 1000);
  tic();
}());
