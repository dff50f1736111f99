"""The taxpayer's pages: services, Nueva Solicitud, Tablero principal and Detalle."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from acuses.models import Acuse
from acuses.views import respuesta_pdf
from buzon.api import error_json, leer_json, respuesta_json
from buzon.errores import CATALOGO, ErrorDominio
from buzon.lib.texto import MAX_CARACTERES_DESCRIPCION
from cuentas import vigencia
from cuentas.models import Contribuyente
from promociones import acceso, borradores, catalogo, consultas, tablero
from promociones.auditoria import consultas_del_instituto
from promociones.consultas import eventos_publicos, respuesta_de
from promociones.descargas import acuse_de, documento_de_respuesta, respuesta_evidencia
from promociones.evidencias import LIMITE_BYTES
from promociones.models import (
    Asunto,
    Estatus,
    Evento,
    Evidencia,
    Servicio,
    Solicitud,
)
from promociones.services import ErroresSolicitud, presentar_desde_formulario, validar_solicitud
from promociones.subidas import acepta_evidencia, evidencia_excedida

Vista = TypeVar("Vista", bound=Callable[..., HttpResponseBase])


def contribuyente_requerido(vista: Vista) -> Vista:
    """Logged in, and as a taxpayer (staff accounts have their own pages)."""

    @login_required
    @wraps(vista)
    def envoltura(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request.user, "contribuyente", None) is None:
            raise PermissionDenied("Esta sección es solo para contribuyentes.")
        return vista(request, *args, **kwargs)

    return cast(Vista, envoltura)


def _servicio(clave: str) -> Servicio:
    servicio = catalogo.servicio_por_clave(clave)
    if servicio is None:
        raise Http404("Servicio desconocido.")
    return servicio


@require_GET
@contribuyente_requerido
def servicio(request: HttpRequest, servicio: str) -> HttpResponse:
    return render(request, "promociones/servicio.html", {"servicio": _servicio(servicio)})


def _asuntos(servicio: Servicio) -> list[Asunto]:
    return list(servicio.asuntos.filter(activo=True).order_by("orden", "nombre"))


def _quiere_json(request: HttpRequest) -> bool:
    """The page's script asks for JSON (fetch, XMLHttpRequest); a plain form does not."""
    return "application/json" in request.headers.get("Accept", "")


def _a_registro(servicio: str, asunto: str = "") -> str:
    """The form's own address, which the login sends the person back to."""
    ruta = reverse("promociones:nueva", args=[servicio])
    return f"{ruta}?{urlencode({'asunto': asunto, 'paso': 'registro'})}" if asunto else ruta


def _sin_sesion(request: HttpRequest, clave: str) -> HttpResponse:
    """A form page or save reached without a session: the session expired (or never
    was). What the form held is kept for its owner (promociones.borradores), and the
    person is sent to log in and back here."""
    destino = request.get_full_path()
    error = ErrorDominio("sesion_terminada")
    servicio = catalogo.servicio_por_clave(clave) if request.method == "POST" else None
    if servicio is not None:
        datos: Any = request.POST
        if request.content_type == "application/json":
            try:
                datos = leer_json(request)
            except ErrorDominio:
                datos = {}
        if borradores.guardar_pendiente(request.session, servicio, datos):
            request.session[vigencia.MOTIVO_ACCESO] = vigencia.INACTIVIDAD_CON_BORRADOR
            error = ErrorDominio("sesion_terminada.borrador")
        asunto = datos.get("asunto")
        destino = _a_registro(servicio.clave, asunto if isinstance(asunto, str) else "")
    acceso = redirect_to_login(destino)
    if _quiere_json(request):
        return respuesta_json(
            {"codigo": error.codigo, "mensaje": error.mensaje, "redirigir": acceso["Location"]},
            status=error.status,
        )
    return acceso


@acepta_evidencia  # upload handlers first, then the CSRF check
@require_http_methods(["GET", "POST"])
def nueva(request: HttpRequest, servicio: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sin_sesion(request, servicio)
    return cast(HttpResponse, _nueva(request, servicio))


@contribuyente_requerido
def _nueva(request: HttpRequest, servicio: str) -> HttpResponse:
    serv = _servicio(servicio)
    if request.method == "POST":
        return _registrar(request, serv)
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    aviso = ""
    pendiente = borradores.tomar_pendiente(request.session, contribuyente, serv)
    if isinstance(pendiente, Solicitud):
        # The form sent after the session expired had already been filed.
        return redirect(_registrada(pendiente, repetida=True))
    reingreso = request.session.pop(vigencia.REINGRESO, None) == request.get_full_path()
    borrador = pendiente or borradores.borrador_de(contribuyente, serv)
    asuntos = _asuntos(serv)
    elegido = next((a for a in asuntos if a.clave == request.GET.get("asunto")), None)
    if borrador.tiene_contenido:
        # What was being written comes back, in the asunto it was written for.
        elegido = next((a for a in asuntos if a.pk == borrador.asunto_id), elegido)
        if pendiente is not None or reingreso:
            aviso = (
                "Tu sesión terminó por inactividad; guardamos lo que escribiste y aquí lo "
                "tienes. Revisa los datos y da clic en Enviar."
            )
        else:
            cuando = timezone.localtime(borrador.actualizado)
            aviso = (
                "Recuperamos lo que escribiste: el borrador se guardó el "
                f"{cuando:%d/%m/%Y} a las {cuando:%H:%M}."
            )
    if elegido is None:
        return render(request, "promociones/asuntos.html", {"servicio": serv, "asuntos": asuntos})
    if request.GET.get("paso") != "registro" and not aviso:
        contexto = {"servicio": serv, "asunto": elegido}
        return render(request, "promociones/recomendaciones.html", contexto)
    valores = {
        "descripcion": borrador.descripcion,
        "telefono": borrador.telefono,
        "clave_idempotencia": borrador.clave_idempotencia,
    }
    return _formulario(request, serv, elegido, valores, {}, aviso=aviso)


def _formulario(
    request: HttpRequest,
    servicio: Servicio,
    asunto: Asunto | None,
    valores: dict[str, str],
    errores: dict[str, str],
    status: int = 200,
    aviso: str = "",
) -> HttpResponse:
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    contexto = {
        "servicio": servicio,
        "asunto": asunto,
        "asuntos": _asuntos(servicio),
        "valores": valores,
        "errores": errores,
        "aviso": aviso,
        # The draft's key: every rendering of this form until it is filed carries it.
        "clave_idempotencia": valores.get("clave_idempotencia")
        or borradores.borrador_de(contribuyente, servicio).clave_idempotencia,
        "propietario": borradores.firma_de(contribuyente, servicio),
        "maximo": MAX_CARACTERES_DESCRIPCION,
        "limite_bytes": LIMITE_BYTES,
        "mensajes_evidencia": {
            "tamano": CATALOGO["evidencia_muy_grande.tamano"].mensaje,
            "extension": CATALOGO["evidencia_no_zip.extension"].mensaje,
            "vacio": CATALOGO["evidencia_no_zip.vacio"].mensaje,
        },
        "sesion_con_borrador": True,  # the session warning (base.html) says it is kept
    }
    return render(request, "promociones/formulario.html", contexto, status=status)


def _registrada(solicitud: Solicitud, *, repetida: bool = False) -> str:
    destino = reverse("promociones:registrada", args=[solicitud.folio])
    return f"{destino}?repetida=1" if repetida else destino


def _dueno_distinto(request: HttpRequest, servicio: Servicio, datos: Any) -> bool:
    """The form names an owner (it was rendered for a taxpayer) who is not the one
    signed in now: another account logged in on this browser since."""
    firma = datos.get("propietario")
    if not firma:
        return False  # a client that does not send it (the page always does)
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    return borradores.dueno_de(firma, servicio) != contribuyente.pk


def _errores_del_formulario(
    request: HttpRequest,
    servicio: Servicio,
    asunto: Asunto | None,
    valores: dict[str, str],
    exc: ErrorDominio,
    errores: dict[str, str],
) -> HttpResponse:
    if _quiere_json(request):
        datos = {"codigo": exc.codigo, "mensaje": exc.mensaje, "errores": errores}
        if valores.get("clave_idempotencia"):
            datos["clave"] = valores["clave_idempotencia"]
        return respuesta_json(datos, status=exc.status)
    return _formulario(request, servicio, asunto, valores, errores, exc.status)


def _registrar(request: HttpRequest, servicio: Servicio) -> HttpResponse:
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    valores = {k: request.POST.get(k, "") for k in ("asunto", "descripcion", "telefono")}
    valores["clave_idempotencia"] = request.POST.get("clave_idempotencia", "")
    asunto = next((a for a in _asuntos(servicio) if a.clave == valores["asunto"]), None)
    if _dueno_distinto(request, servicio, request.POST):
        exc = ErrorDominio("formulario_ajeno")
        valores["clave_idempotencia"] = ""
        return _errores_del_formulario(
            request, servicio, asunto, valores, exc, {"formulario": exc.mensaje}
        )
    try:
        presentacion = presentar_desde_formulario(
            contribuyente=contribuyente,
            servicio=servicio.clave,
            asunto=valores["asunto"],
            descripcion=valores["descripcion"],
            telefono=valores["telefono"],
            evidencia=request.FILES.get("evidencia"),
            clave_idempotencia=valores["clave_idempotencia"],
            evidencia_excedida=evidencia_excedida(request),
        )
    except ErroresSolicitud as exc:
        _guardar_sin_fallar(contribuyente, servicio, valores)
        return _errores_del_formulario(request, servicio, asunto, valores, exc, exc.por_campo())
    except ErrorDominio as exc:
        # The evidence rules (zip, size, harmful, infected) are checked last, alone.
        campo = exc.campo or ("evidencia" if exc.codigo.startswith("evidencia_") else "formulario")
        if exc.codigo == "idempotencia_reutilizada":
            # This form's key already filed a request with other content (a second tab,
            # or Back and then changes): what is written now is kept under a new key and
            # filed once the person has checked it and sends it again.
            previa = Solicitud.objects.get(
                contribuyente=contribuyente, clave_idempotencia=valores["clave_idempotencia"]
            )
            exc = ErrorDominio("idempotencia_reutilizada.formulario", folio=previa.folio)
            valores["clave_idempotencia"] = borradores.con_clave_nueva(
                contribuyente, servicio, valores
            ).clave_idempotencia
        else:
            _guardar_sin_fallar(contribuyente, servicio, valores)
        return _errores_del_formulario(
            request, servicio, asunto, valores, exc, {campo: exc.mensaje}
        )
    # Filed (now or before): the intention is done, and so is its draft.
    borradores.descartar(contribuyente, servicio)
    destino = _registrada(presentacion.solicitud, repetida=presentacion.repetida)
    if _quiere_json(request):
        return respuesta_json({"redirigir": destino})
    return redirect(destino)


def _guardar_sin_fallar(
    contribuyente: Contribuyente, servicio: Servicio, valores: dict[str, str]
) -> None:
    """A refused submission still keeps what was written (within the bounds)."""
    with contextlib.suppress(ErrorDominio):
        borradores.guardar(contribuyente, servicio, valores)


@require_POST
def borrador(request: HttpRequest, servicio: str) -> HttpResponse:
    """``POST /promociones/<servicio>/borrador`` (the page's script, JSON, CSRF): saves
    the form as the taxpayer's draft and, with ``validar``, checks its fields as filing
    would (the evidence only for its presence: the browser checks the file itself), so
    the page shows every error before a byte of the file is sent. Answers the key the
    form must carry and the session's seconds left."""
    if not request.user.is_authenticated:
        return _sin_sesion(request, servicio)
    return cast(HttpResponse, _borrador(request, servicio))


@contribuyente_requerido
def _borrador(request: HttpRequest, servicio: str) -> HttpResponse:
    serv = _servicio(servicio)
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    try:
        datos = leer_json(request)
    except ErrorDominio as exc:
        return error_json(exc)
    if _dueno_distinto(request, serv, datos):
        return error_json(ErrorDominio("formulario_ajeno"))
    clave = datos.get("clave_idempotencia")
    clave = clave if isinstance(clave, str) else ""
    respuesta: dict[str, Any] = {
        "guardado": False,
        "clave": clave,
        "errores": {},
        "segundos_restantes": vigencia.segundos_restantes(request.session),
    }
    presentada = (
        Solicitud.objects.filter(contribuyente=contribuyente, clave_idempotencia=clave).first()
        if clave
        else None
    )
    if presentada is not None:
        # A page left from before its filing (Back): no draft; sending it again shows
        # the request it filed.
        respuesta["presentada"] = presentada.folio
    else:
        try:
            guardado = borradores.guardar(contribuyente, serv, datos)
        except ErrorDominio as exc:
            respuesta["errores"][exc.campo or "formulario"] = exc.mensaje
        else:
            cuando = timezone.localtime(guardado.actualizado)
            respuesta.update(
                guardado=True, clave=guardado.clave_idempotencia, hora=f"{cuando:%H:%M}"
            )
    if datos.get("validar") is True:
        respuesta["errores"].update(_errores_de_campos(serv, datos))
    return respuesta_json(respuesta)


def _errores_de_campos(servicio: Servicio, datos: dict[str, Any]) -> dict[str, str]:
    def texto(nombre: str) -> str:
        valor = datos.get(nombre)
        return valor if isinstance(valor, str) else ""

    try:
        validar_solicitud(
            servicio=servicio.clave,
            asunto=texto("asunto"),
            descripcion=texto("descripcion"),
            telefono=texto("telefono"),
            hay_evidencia=datos.get("hay_evidencia") is True,
        )
    except ErroresSolicitud as exc:
        return exc.por_campo()
    return {}


@require_GET
@contribuyente_requerido
def registrada(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = acceso.solicitud_de_contribuyente(request.user, folio)
    contexto = {"solicitud": solicitud, "repetida": request.GET.get("repetida") == "1"}
    return render(request, "promociones/registrada.html", contexto)


@require_GET
@contribuyente_requerido
def tablero_principal(request: HttpRequest) -> HttpResponse:
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    error = error_campo = None
    try:
        # The page also takes dates as dd/mm/aaaa, as it shows them (the API: AAAA-MM-DD).
        filtros = consultas.leer_filtros(request.GET, pagina_web=True)
    except ErrorDominio as exc:
        error, error_campo, filtros = exc.mensaje, exc.campo, consultas.Filtros()
    pagina, filas = consultas.pagina_del_tablero(
        contribuyente.pk, filtros, version=consultas.version_traida(contribuyente)
    )

    def hacer() -> SafeString:
        valores = filtros.como_parametros()
        base = urlencode(valores)
        contexto = {
            "encabezado": tablero.ENCABEZADO,
            "filas": tablero.filas_html(filas),
            "pagina": pagina,
            "valores": valores,  # the filters as typed back into the form
            "filtros": filtros,
            "error": error,
            "error_campo": error_campo,
            "request": request if error else None,  # only an error types back the query
            "opciones_asunto": tablero.opciones_html(
                consultas.catalogo_asuntos().opciones, filtros.asunto
            ),
            "opciones_estatus": tablero.opciones_html(Estatus.choices, filtros.estatus),
            "enlace": f"?{base}&pagina=" if base else "?pagina=",
        }
        return SafeString(render_to_string("promociones/tablero_contenido.html", contexto))

    # Without an error the main part is a function of the page remembered (its key holds
    # the taxpayer, the version, the catalog read and the filters), so it is kept with
    # the page's rows and a page seen again renders only the frame (decision 0023).
    contenido = hacer() if error else tablero.contenido_html(filas, hacer)
    return render(request, "promociones/tablero.html", {"contenido": contenido})


def _fecha_dato(valor: Any) -> date | None:
    try:
        return date.fromisoformat(valor) if isinstance(valor, str) else None
    except ValueError:
        return None


def _historial(solicitud: Solicitud) -> list[tuple[Evento, date | None, str]]:
    """Each public event with the response date it set and, for a canalización, where
    the request went ("Orientación / ICSOE"), as the guide's section VIII asks."""
    eventos = eventos_publicos(solicitud)
    servicios = dict(Servicio.objects.values_list("clave", "nombre"))
    asuntos = dict(consultas.catalogo_asuntos().opciones)
    filas = []
    for evento in eventos:
        destino = ""
        if evento.tipo == Evento.Tipo.CANALIZADA:
            servicio, asunto = evento.datos.get("servicio"), evento.datos.get("asunto")
            destino = f"{servicios.get(servicio, servicio)} / {asuntos.get(asunto, asunto)}"
        filas.append((evento, _fecha_dato(evento.datos.get("respuesta_a_partir_del")), destino))
    return filas


@require_GET
@contribuyente_requerido
def detalle(request: HttpRequest, folio: str) -> HttpResponse:
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> SafeString:
        solicitud = acceso.solicitud_de_contribuyente(request.user, folio)
        contexto = {
            "solicitud": solicitud,
            "evidencia": Evidencia.objects.filter(solicitud=solicitud).first(),
            "historial": _historial(solicitud),
            "acuses": list(Acuse.objects.filter(solicitud=solicitud).order_by("emitido", "id")),
            "respuesta": respuesta_de(solicitud),
            "consultas_del_instituto": consultas_del_instituto(solicitud),
        }
        return SafeString(render_to_string("promociones/detalle_contenido.html", contexto))

    # The main part, from memory while nothing it shows has changed (decision 0017);
    # made only after the folio proved hers, and the folio is the exact one looked up.
    contenido = consultas.detalle_recordado(
        contribuyente.pk, folio, "html", hacer, version=consultas.version_traida(contribuyente)
    )
    return render(request, "promociones/detalle.html", {"contenido": contenido, "folio": folio})


@require_GET
@contribuyente_requerido
def evidencia(request: HttpRequest, folio: str) -> FileResponse:
    return respuesta_evidencia(acceso.solicitud_de_contribuyente(request.user, folio))


@require_GET
@contribuyente_requerido
def documento_respuesta(request: HttpRequest, folio: str) -> FileResponse:
    return documento_de_respuesta(acceso.solicitud_de_contribuyente(request.user, folio))


@require_GET
@login_required
def acuse(request: HttpRequest, folio: str, tipo: str) -> HttpResponse:
    """The signed PDF of the request's acuse of ``tipo`` (owner only), as an attachment."""
    solicitud = acceso.solicitud_de_contribuyente(request.user, folio)
    return respuesta_pdf(acuse_de(solicitud, tipo))
