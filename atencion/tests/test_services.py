"""The staff transitions: rules, roles, history, acuses and queued notices."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from acuses import sello
from acuses.models import Acuse
from atencion import services
from atencion.tests.conftest import PDF, archivos, pdf_subido, presentar
from avisos.models import Aviso
from buzon.errores import ErrorDominio
from buzon.lib import cadena as cadena_lib
from promociones import pipeline
from promociones.models import Asunto, Evento, Respuesta, Servicio, Solicitud
from tests.personas import ANALISTA, ANALISTA_OTRA_AREA, SUPERVISOR

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 12:00 in Mexico City.
MIERCOLES = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
# Saturday 7 March 2026, 11:00 in Mexico City.
SABADO = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)


def assert_acuse_verificable(solicitud, tipo) -> Acuse:
    acuse = Acuse.objects.get(solicitud=solicitud, tipo=tipo)
    assert cadena_lib.construir(acuse.hechos) == acuse.cadena_original
    certificado = sello.certificados()[acuse.numero_certificado_sello]
    assert sello.sello_valido(acuse.cadena_original, acuse.sello, certificado)
    return acuse


def codigo_de(llamada) -> ErrorDominio:
    with pytest.raises(ErrorDominio) as error:
        llamada()
    return error.value


def prorrogar(solicitud, actor, **cambios):
    datos: dict[str, Any] = {"nota": "El área de emisiones revisa el pago.", "dias_habiles": 3}
    datos.update(cambios)
    return services.otorgar_prorroga(solicitud=solicitud, actor=actor, momento=MIERCOLES, **datos)


def canalizar(solicitud, actor, **cambios):
    datos: dict[str, Any] = {
        "nota": "Corresponde a la activación del buzón.",
        "servicio": "orientacion",
        "asunto": "activacion-buzon",
    }
    datos.update(cambios)
    return services.canalizar(solicitud=solicitud, actor=actor, momento=SABADO, **datos)


def responder(solicitud, actor, **cambios):
    datos: dict[str, Any] = {
        "texto": "Su pago quedó aplicado el 3 de marzo.",
        "documento": pdf_subido(),
    }
    datos.update(cambios)
    return services.responder(solicitud=solicitud, actor=actor, momento=MIERCOLES, **datos)


# --- prórroga ---------------------------------------------------------------------------


def test_supervisor_extends_the_date_in_business_days_and_everything_is_recorded(
    solicitud, supervisor
):
    assert solicitud.respuesta_a_partir_del == date(2026, 3, 17)
    actualizada = prorrogar(solicitud, supervisor, dias_habiles=3)

    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert actualizada.estatus == guardada.estatus == "en_prorroga"
    assert guardada.respuesta_a_partir_del == date(2026, 3, 20)
    evento = guardada.eventos.get(tipo=Evento.Tipo.PRORROGA)
    assert evento.actor == supervisor
    assert evento.datos["estatus_anterior"] == "recibido"
    assert evento.datos["estatus_nuevo"] == "en_prorroga"
    assert evento.datos["fecha_anterior"] == "2026-03-17"
    assert evento.datos["respuesta_a_partir_del"] == "2026-03-20"
    assert evento.datos["nota"] == "El área de emisiones revisa el pago."
    acuse = assert_acuse_verificable(guardada, "prorroga")
    assert acuse.hechos["nueva_fecha"] == "2026-03-20"
    assert acuse.hechos["fecha_anterior"] == "2026-03-17"
    aviso = Aviso.objects.get(solicitud=solicitud)
    assert (aviso.canal, aviso.destino, aviso.estado) == ("sms", "5512345678", "pendiente")
    assert aviso.texto == (
        f"IMSS Buzón: tu solicitud {solicitud.folio} fue prorrogada; nueva fecha de "
        "respuesta 20/03/2026. Consulta el acuse en tu Buzón IMSS."
    )
    assert "celular confirmado" in evento.datos["aviso_sms"]["motivo"]
    assert evento.datos["aviso_sms"]["destino"] == "55******78"


def test_extension_may_equal_the_original_term_but_not_exceed_it(solicitud, supervisor):
    assert codigo_de(lambda: prorrogar(solicitud, supervisor, dias_habiles=11)).codigo == (
        "dias_invalidos"
    )
    assert codigo_de(lambda: prorrogar(solicitud, supervisor, dias_habiles=0)).codigo == (
        "dias_invalidos"
    )
    assert codigo_de(lambda: prorrogar(solicitud, supervisor, dias_habiles=-2)).codigo == (
        "dias_invalidos"
    )
    prorrogar(solicitud, supervisor, dias_habiles=10)
    assert Solicitud.objects.get(pk=solicitud.pk).respuesta_a_partir_del == date(2026, 3, 31)


def test_extension_needs_an_internal_note(solicitud, supervisor):
    error = codigo_de(lambda: prorrogar(solicitud, supervisor, nota="  \n "))
    assert (error.codigo, error.campo) == ("nota_requerida", "nota")
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == "recibido"
    assert not Acuse.objects.filter(solicitud=solicitud, tipo="prorroga").exists()


def test_a_second_extension_is_refused_even_after_a_canalizacion(solicitud, supervisor):
    prorrogar(solicitud, supervisor)
    error = codigo_de(lambda: prorrogar(solicitud, supervisor))
    assert (error.codigo, error.status) == ("prorroga_ya_otorgada", 409)
    canalizar(solicitud, supervisor)
    error = codigo_de(lambda: prorrogar(solicitud, supervisor))
    assert error.codigo == "prorroga_ya_otorgada"
    assert Acuse.objects.filter(solicitud=solicitud, tipo="prorroga").count() == 1


def test_analysts_answer_but_do_not_extend_or_reroute(solicitud, analista):
    error = codigo_de(lambda: prorrogar(solicitud, analista))
    assert (error.codigo, error.status) == ("sin_permiso", 403)
    error = codigo_de(lambda: canalizar(solicitud, analista))
    assert (error.codigo, error.status) == ("sin_permiso", 403)
    responder(solicitud, analista)
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == "atendido"


def test_staff_of_another_area_gets_not_found_and_changes_nothing(solicitud, analista_otra):
    for paso in (
        lambda: prorrogar(solicitud, analista_otra),
        lambda: canalizar(solicitud, analista_otra),
        lambda: responder(solicitud, analista_otra),
        lambda: services.anotar(solicitud=solicitud, actor=analista_otra, nota="x"),
    ):
        error = codigo_de(paso)
        assert (error.codigo, error.status) == ("no_encontrada", 404)
    assert list(solicitud.eventos.values_list("tipo", flat=True)) == ["recibida"]
    assert not Aviso.objects.exists()


# --- canalización -----------------------------------------------------------------------


def test_canalizacion_moves_service_subject_area_and_counts_from_next_business_day(
    solicitud, supervisor
):
    canalizar(solicitud, supervisor)
    guardada = Solicitud.objects.select_related("servicio", "asunto", "area").get(pk=solicitud.pk)
    assert guardada.estatus == "canalizado"
    assert (guardada.servicio.clave, guardada.asunto.clave) == ("orientacion", "activacion-buzon")
    assert guardada.area.clave == "atencion-buzon"
    # Saturday 7 March: counted from Monday 9 March, 5 days, skipping 16 March (holiday).
    assert guardada.respuesta_a_partir_del == date(2026, 3, 17)
    # As the guide reads the Tablero (VIII.3): the new response date, and the day apart.
    assert guardada.fecha_respuesta_o_canalizacion == date(2026, 3, 17)
    assert guardada.canalizada == date(2026, 3, 7)
    evento = guardada.eventos.get(tipo=Evento.Tipo.CANALIZADA)
    assert evento.datos["canalizada"] == "2026-03-07"
    assert evento.datos["servicio_anterior"] == "aclaracion"
    assert evento.datos["asunto_anterior"] == "emisiones"
    assert evento.datos["area_anterior"] == "emisiones"
    assert evento.actor == supervisor
    acuse = assert_acuse_verificable(guardada, "canalizacion")
    assert acuse.hechos["servicio"] == "Orientación"
    assert acuse.hechos["asunto_anterior"] == "Emisiones"
    assert acuse.hechos["nueva_fecha"] == "2026-03-17"
    assert acuse.hechos["canalizada"] == "2026-03-07"
    aviso = Aviso.objects.get(solicitud=solicitud)
    assert "fue canalizada a Orientación" in aviso.texto
    assert "17/03/2026" in aviso.texto


def test_canalizacion_may_change_only_the_service(solicitud, supervisor, analista):
    # The guide's "servicio y/o asunto": an Aclaración that is an Orientación about the
    # same asunto. The area stays, and so does whoever was working on it.
    services.asignar(solicitud=solicitud, actor=supervisor, usuario=ANALISTA.username)
    canalizar(solicitud, supervisor, servicio="orientacion", asunto="emisiones")
    guardada = Solicitud.objects.select_related("servicio", "asunto", "area").get(pk=solicitud.pk)
    assert guardada.estatus == "canalizado"
    assert (guardada.servicio.clave, guardada.asunto.clave) == ("orientacion", "emisiones")
    assert guardada.area.clave == "emisiones"
    assert guardada.asignada_a == analista
    # Orientación's term, 5 business days after Monday 9 March, skipping 16 March.
    assert guardada.respuesta_a_partir_del == date(2026, 3, 17)
    acuse = assert_acuse_verificable(guardada, "canalizacion")
    assert (acuse.hechos["servicio_anterior"], acuse.hechos["servicio"]) == (
        "Aclaración",
        "Orientación",
    )
    assert acuse.hechos["asunto_anterior"] == acuse.hechos["asunto"] == "Emisiones"


def test_canalizacion_may_change_only_the_subject(solicitud, supervisor, analista):
    services.asignar(solicitud=solicitud, actor=supervisor, usuario=ANALISTA.username)
    canalizar(solicitud, supervisor, servicio="aclaracion", asunto="icsoe")
    guardada = Solicitud.objects.select_related("servicio", "asunto", "area").get(pk=solicitud.pk)
    assert guardada.estatus == "canalizado"
    assert (guardada.servicio.clave, guardada.asunto.clave) == ("aclaracion", "icsoe")
    # Another area: it assigns the request again.
    assert (guardada.area.clave, guardada.asignada_a) == ("icsoe", None)
    # Aclaración's term, 10 business days after Monday 9 March, skipping 16 March.
    assert guardada.respuesta_a_partir_del == date(2026, 3, 24)
    acuse = assert_acuse_verificable(guardada, "canalizacion")
    assert acuse.hechos["servicio_anterior"] == acuse.hechos["servicio"] == "Aclaración"
    assert (acuse.hechos["asunto_anterior"], acuse.hechos["asunto"]) == ("Emisiones", "ICSOE")


def test_canalizacion_to_the_same_service_and_subject_is_refused(solicitud, supervisor):
    error = codigo_de(
        lambda: canalizar(solicitud, supervisor, servicio="aclaracion", asunto="emisiones")
    )
    assert (error.codigo, error.campo) == ("canalizacion_sin_cambio", "asunto")
    assert "cambia el servicio, el asunto o ambos" in error.mensaje
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.estatus == "recibido"
    assert not guardada.eventos.filter(tipo=Evento.Tipo.CANALIZADA).exists()
    assert not Acuse.objects.filter(solicitud=solicitud, tipo="canalizacion").exists()
    assert not Aviso.objects.filter(solicitud=solicitud).exists()


def test_canalizacion_needs_a_subject_the_target_service_offers(solicitud, supervisor):
    Asunto.objects.get(clave="icsoe").servicios.remove(Servicio.objects.get(clave="orientacion"))
    error = codigo_de(lambda: canalizar(solicitud, supervisor, asunto="icsoe"))
    assert (error.codigo, error.campo) == ("asunto_invalido", "asunto")
    assert error.mensaje == "Elige uno de los asuntos activos de Orientaciones."
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == "recibido"
    # The same asunto where it is offered is fine.
    canalizar(solicitud, supervisor, servicio="aclaracion", asunto="icsoe")


def test_canalizacion_needs_a_valid_service_and_an_active_subject(solicitud, supervisor):
    assert codigo_de(lambda: canalizar(solicitud, supervisor, servicio="queja")).codigo == (
        "servicio_invalido"
    )
    assert codigo_de(lambda: canalizar(solicitud, supervisor, asunto="no-existe")).codigo == (
        "asunto_invalido"
    )
    Asunto.objects.filter(clave="activacion-buzon").update(activo=False)
    assert codigo_de(lambda: canalizar(solicitud, supervisor)).codigo == "asunto_invalido"
    assert codigo_de(lambda: canalizar(solicitud, supervisor, nota="")).codigo == ("nota_requerida")


def test_canalizado_may_be_extended_once_but_not_rerouted_again(solicitud, supervisor):
    canalizar(solicitud, supervisor)
    error = codigo_de(
        lambda: canalizar(solicitud, supervisor, servicio="aclaracion", asunto="icsoe")
    )
    assert (error.codigo, error.status) == ("transicion_invalida", 409)
    prorrogar(solicitud, supervisor, dias_habiles=5)
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.estatus == "en_prorroga"
    assert guardada.respuesta_a_partir_del == date(2026, 3, 24)


def test_an_answer_after_canalizacion_shows_the_day_answered_and_keeps_the_day_canalized(
    solicitud, supervisor
):
    canalizar(solicitud, supervisor)
    services.responder(
        solicitud=solicitud,
        actor=supervisor,
        texto="Atendida en Orientación.",
        documento=pdf_subido(),
        momento=datetime(2026, 3, 12, 18, 0, tzinfo=UTC),
    )
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.estatus == "atendido"
    assert guardada.fecha_respuesta_o_canalizacion == date(2026, 3, 12)
    assert guardada.canalizada == date(2026, 3, 7)


def test_a_request_never_canalized_has_no_canalizada_date(solicitud, analista):
    assert Solicitud.objects.get(pk=solicitud.pk).canalizada is None
    responder(solicitud, analista)
    assert Solicitud.objects.get(pk=solicitud.pk).canalizada is None


def test_after_canalizacion_the_old_area_loses_the_request(solicitud, supervisor, analista):
    canalizar(solicitud, supervisor)
    error = codigo_de(lambda: responder(solicitud, analista))
    assert error.codigo == "no_encontrada"


# --- respuesta --------------------------------------------------------------------------


def test_answer_stores_the_pdf_and_issues_the_acuse(solicitud, analista, almacen_temporal):
    import hashlib

    responder(solicitud, analista)
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.estatus == "atendido"
    assert guardada.fecha_respuesta_o_canalizacion == date(2026, 3, 4)
    respuesta = Respuesta.objects.get(solicitud=solicitud)
    assert respuesta.documento_sha256 == hashlib.sha256(PDF).hexdigest()
    assert respuesta.documento_bytes == len(PDF)
    guardados = archivos(almacen_temporal, "respuestas")
    assert [p.read_bytes() for p in guardados] == [PDF]
    acuse = assert_acuse_verificable(guardada, "respuesta")
    assert acuse.hechos["documentos"][0]["sha256"] == respuesta.documento_sha256
    assert acuse.hechos["respuesta"] == "Su pago quedó aplicado el 3 de marzo."
    evento = guardada.eventos.get(tipo=Evento.Tipo.ATENDIDA)
    assert (evento.datos["estatus_anterior"], evento.actor) == ("recibido", analista)
    assert "fue atendida" in Aviso.objects.get(solicitud=solicitud).texto


def test_answer_date_is_mexico_city_day_not_utc(solicitud, analista):
    # 23:30 on 5 March in Mexico City is already 6 March in UTC.
    services.responder(
        solicitud=solicitud,
        actor=analista,
        texto="Atendida.",
        documento=pdf_subido(),
        momento=datetime(2026, 3, 6, 5, 30, tzinfo=UTC),
    )
    assert Solicitud.objects.get(pk=solicitud.pk).fecha_respuesta_o_canalizacion == date(2026, 3, 5)


def test_answering_twice_is_refused_and_stores_no_second_file(
    solicitud, analista, almacen_temporal
):
    responder(solicitud, analista)
    error = codigo_de(lambda: responder(solicitud, analista))
    assert (error.codigo, error.status) == ("transicion_invalida", 409)
    assert len(archivos(almacen_temporal, "respuestas")) == 1
    assert Acuse.objects.filter(solicitud=solicitud, tipo="respuesta").count() == 1


def test_answered_requests_accept_no_extension_nor_canalizacion(solicitud, analista, supervisor):
    responder(solicitud, analista)
    assert codigo_de(lambda: prorrogar(solicitud, supervisor)).codigo == "transicion_invalida"
    assert codigo_de(lambda: canalizar(solicitud, supervisor)).codigo == "transicion_invalida"


@pytest.mark.parametrize(
    ("cambios", "codigo", "status"),
    [
        ({"documento": None}, "documento_requerido", 400),
        ({"documento": pdf_subido(datos=b"")}, "documento_requerido", 400),
        ({"documento": pdf_subido("respuesta.pdf", b"PK\x03\x04zip")}, "documento_no_pdf", 400),
        ({"texto": "   "}, "texto_requerido", 400),
    ],
)
def test_answer_needs_text_and_a_pdf(
    solicitud, analista, almacen_temporal, cambios, codigo, status
):
    error = codigo_de(lambda: responder(solicitud, analista, **cambios))
    assert (error.codigo, error.status) == (codigo, status)
    assert archivos(almacen_temporal, "respuestas") == []
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == "recibido"


def test_answer_document_over_the_limit_is_refused_with_413(
    solicitud, analista, almacen_temporal, monkeypatch
):
    monkeypatch.setattr("atencion.documentos.LIMITE_BYTES", len(PDF))
    error = codigo_de(lambda: responder(solicitud, analista))
    assert (error.codigo, error.status) == ("documento_muy_grande", 413)
    assert archivos(almacen_temporal, "respuestas") == []


# --- one transaction --------------------------------------------------------------------


def test_a_failure_after_the_event_rolls_back_event_notice_and_file(
    solicitud, analista, almacen_temporal, monkeypatch
):
    def falla(**_):
        raise RuntimeError("sello no disponible")

    monkeypatch.setattr(pipeline, "emitir_acuse", falla)
    with pytest.raises(RuntimeError):
        responder(solicitud, analista)
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.estatus == "recibido"
    assert guardada.fecha_respuesta_o_canalizacion is None
    assert not Aviso.objects.exists()
    assert not Respuesta.objects.exists()
    assert list(guardada.eventos.values_list("tipo", flat=True)) == ["recibida"]
    assert archivos(almacen_temporal, "respuestas") == []


def test_extension_rolled_back_leaves_no_notice(solicitud, supervisor, monkeypatch):
    def falla(**_):
        raise RuntimeError("sello no disponible")

    monkeypatch.setattr(pipeline, "emitir_acuse", falla)
    with pytest.raises(RuntimeError):
        prorrogar(solicitud, supervisor)
    assert not Aviso.objects.exists()
    assert Solicitud.objects.get(pk=solicitud.pk).respuesta_a_partir_del == date(2026, 3, 17)


def test_without_any_phone_no_sms_is_queued_and_the_history_says_so(contribuyente, supervisor):
    sin_telefono = presentar(contribuyente, servicio="orientacion", telefono="", evidencia=None)
    prorrogar(sin_telefono, supervisor, dias_habiles=2)
    assert not Aviso.objects.exists()
    evento = sin_telefono.eventos.get(tipo=Evento.Tipo.PRORROGA)
    assert evento.datos["aviso_sms"]["enviado"] is False
    assert "no tiene teléfono" in evento.datos["aviso_sms"]["motivo"]


def test_internal_note_is_recorded_with_its_author(solicitud, analista):
    evento = services.anotar(solicitud=solicitud, actor=analista, nota="Llamar al patrón.")
    assert (evento.tipo, evento.actor, evento.datos) == (
        "nota",
        analista,
        {"nota": "Llamar al patrón."},
    )
    assert not evento.publico


# --- asignación -------------------------------------------------------------------------


def test_supervisor_assigns_to_a_member_of_the_area_only(
    solicitud, supervisor, analista, analista_otra
):
    services.asignar(solicitud=solicitud, actor=supervisor, usuario=ANALISTA.username)
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.asignada_a == analista
    evento = guardada.eventos.get(tipo=Evento.Tipo.ASIGNADA)
    assert evento.datos == {"asignada_anterior": None, "asignada_a": ANALISTA.username}
    assert not evento.publico
    error = codigo_de(
        lambda: services.asignar(
            solicitud=solicitud, actor=supervisor, usuario=ANALISTA_OTRA_AREA.username
        )
    )
    assert error.codigo == "usuario_invalido"
    error = codigo_de(
        lambda: services.asignar(solicitud=solicitud, actor=analista, usuario=ANALISTA.username)
    )
    assert error.codigo == "sin_permiso"


def test_canalizacion_clears_the_assignment_and_answered_requests_are_not_assigned(
    solicitud, supervisor, analista
):
    services.asignar(solicitud=solicitud, actor=supervisor, usuario=ANALISTA.username)
    canalizar(solicitud, supervisor)
    assert Solicitud.objects.get(pk=solicitud.pk).asignada_a is None
    responder(solicitud, supervisor)
    error = codigo_de(
        lambda: services.asignar(solicitud=solicitud, actor=supervisor, usuario=SUPERVISOR.username)
    )
    assert (error.codigo, error.status) == ("transicion_invalida", 409)
