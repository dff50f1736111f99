"""The audit of what staff see and do on a request (atencion.auditoria): one row per view
of the detail (page and API), per download and per action, with who, role, area, when,
what and canal; nothing for refused actions or for folios outside the person's areas."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from atencion import auditoria, services
from atencion.models import Adscripcion
from atencion.tests.conftest import api_de, pdf_subido, presentar, sesion_de
from promociones import auditoria as auditoria_publica
from promociones.models import ConsultaInstitucional, Evento, Solicitud
from tests.personas import ANALISTA, CONTRIBUYENTE, SUPERVISOR

pytestmark = pytest.mark.django_db

DOCUMENTO = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json").read_text("utf-8")
)
TABLA = ConsultaInstitucional._meta.db_table


def conforme(datos, esquema):
    validador = Draft202012Validator(
        {"$ref": f"#/components/schemas/{esquema}", "components": DOCUMENTO["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errores = [e.message for e in validador.iter_errors(datos)]
    assert errores == [], errores
    return datos


def filas(solicitud) -> list[tuple[str, str, str, str, str]]:
    """(username, role, area clave, action, canal) of each row, oldest first."""
    return list(
        ConsultaInstitucional.objects.filter(solicitud=solicitud)
        .order_by("creado", "id")
        .values_list("usuario__username", "rol", "area__clave", "accion", "canal")
    )


def post_json(cliente, url, datos):
    return cliente.post(url, json.dumps(datos), content_type="application/json")


def test_each_page_view_download_and_action_is_one_row(solicitud, analista, supervisor):
    staff, jefa = sesion_de(analista), sesion_de(supervisor)
    folio = solicitud.folio
    assert staff.get(f"/atencion/{folio}/").status_code == 200
    assert staff.get(f"/atencion/{folio}/evidencia").status_code == 200
    assert staff.post(f"/atencion/{folio}/nota", {"nota": "Revisar el pago."}).status_code == 302
    r = jefa.post(f"/atencion/{folio}/asignacion", {"usuario": ANALISTA.username})
    assert r.status_code == 302
    r = jefa.post(f"/atencion/{folio}/prorroga", {"nota": "Falta el banco.", "dias_habiles": "2"})
    assert r.status_code == 302
    r = staff.post(
        f"/atencion/{folio}/respuesta", {"texto": "Pago aplicado.", "documento": pdf_subido()}
    )
    assert r.status_code == 302
    assert staff.get(f"/atencion/{folio}/respuesta.pdf").status_code == 200
    assert filas(solicitud) == [
        (ANALISTA.username, "analista", "emisiones", "consulta", "web"),
        (ANALISTA.username, "analista", "emisiones", "evidencia", "web"),
        (ANALISTA.username, "analista", "emisiones", "nota", "web"),
        (SUPERVISOR.username, "supervisor", "emisiones", "asignacion", "web"),
        (SUPERVISOR.username, "supervisor", "emisiones", "prorroga", "web"),
        (ANALISTA.username, "analista", "emisiones", "respuesta", "web"),
        (ANALISTA.username, "analista", "emisiones", "documento", "web"),
    ]
    # The action's row carries the action's own moment, the one its history row has.
    nota = Evento.objects.get(solicitud=solicitud, tipo=Evento.Tipo.NOTA)
    assert ConsultaInstitucional.objects.get(solicitud=solicitud, accion="nota").creado == (
        nota.creado
    )


def test_each_api_call_is_one_row_and_the_detail_shows_everything(solicitud, analista, supervisor):
    base = f"/api/v1/atencion/solicitudes/{solicitud.folio}"
    api, jefa = api_de(analista), api_de(supervisor)
    services.anotar(solicitud=solicitud, actor=analista, nota="Nota solo del personal.")
    assert post_json(jefa, base + "/asignacion", {"usuario": ANALISTA.username}).status_code == 200
    r = post_json(jefa, base + "/prorroga", {"nota": "Falta el banco.", "dias_habiles": 2})
    assert r.status_code == 200
    r = api.get(base)
    assert r.status_code == 200
    cuerpo = conforme(r.json(), "SolicitudPersonal")
    assert filas(solicitud) == [
        (ANALISTA.username, "analista", "emisiones", "nota", "web"),
        (SUPERVISOR.username, "supervisor", "emisiones", "asignacion", "api"),
        (SUPERVISOR.username, "supervisor", "emisiones", "prorroga", "api"),
        (ANALISTA.username, "analista", "emisiones", "consulta", "api"),
    ]
    # The whole history, the internal note and the assignment included, with who.
    eventos = [(e["evento"], e["actor"]) for e in cuerpo["historial"]]
    assert eventos == [
        ("recibida", CONTRIBUYENTE.username),
        ("nota", ANALISTA.username),
        ("asignada", SUPERVISOR.username),
        ("prorroga", SUPERVISOR.username),
    ]
    assert cuerpo["historial"][1]["nota"] == "Nota solo del personal."
    assert cuerpo["asignada_a"] == ANALISTA.username
    # The whole audit, this very call included, with the person and the canal.
    ultima = cuerpo["consultas_del_instituto"][-1]
    assert ultima["usuario"] == ANALISTA.username
    assert (ultima["area"], ultima["rol"], ultima["accion"]) == (
        "Emisiones de cuotas obrero-patronales",
        "Analista",
        "Consultó la solicitud",
    )
    assert (ultima["area_clave"], ultima["rol_clave"], ultima["accion_clave"]) == (
        "emisiones",
        "analista",
        "consulta",
    )
    assert ultima["canal"] == "api"
    assert [c["usuario"] for c in cuerpo["consultas_del_instituto"]] == [
        ANALISTA.username,
        SUPERVISOR.username,
        SUPERVISOR.username,
        ANALISTA.username,
    ]
    # The actions' answers are the taxpayer's shape of the request: the audit without names.
    r = post_json(api, base + "/asignacion", {"usuario": "x"})
    assert r.status_code == 403  # an analyst does not assign
    respuesta = api.post(base + "/respuesta", {"texto": "Listo.", "documento": pdf_subido()})
    assert respuesta.status_code == 200
    publica = respuesta.json()["consultas_del_instituto"]
    assert publica[-1] == {
        "fecha": publica[-1]["fecha"],
        "area": "Emisiones de cuotas obrero-patronales",
        "rol": "Analista",
        "accion": "Respondió la solicitud",
    }
    assert ANALISTA.username not in json.dumps(publica)
    assert filas(solicitud)[-1] == (ANALISTA.username, "analista", "emisiones", "respuesta", "api")


def test_staff_of_another_area_reach_nothing_and_write_nothing(solicitud, analista_otra):
    folio = solicitud.folio
    pagina, api = sesion_de(analista_otra), api_de(analista_otra)
    for r in (
        pagina.get(f"/atencion/{folio}/"),
        pagina.get(f"/atencion/{folio}/evidencia"),
        pagina.get(f"/atencion/{folio}/respuesta.pdf"),
        pagina.get(f"/atencion/{folio}/acuses/recepcion.pdf"),
        pagina.post(f"/atencion/{folio}/nota", {"nota": "Intento."}),
        api.get(f"/api/v1/atencion/solicitudes/{folio}"),
        post_json(api, f"/api/v1/atencion/solicitudes/{folio}/prorroga", {"nota": "x"}),
    ):
        assert r.status_code == 404
    assert filas(solicitud) == []
    assert api.get(f"/api/v1/atencion/solicitudes/{folio}").json()["codigo"] == "no_encontrada"


def test_a_taxpayer_token_is_refused_and_writes_nothing(solicitud, contribuyente):
    from atencion.tests.conftest import api_contribuyente

    r = api_contribuyente(contribuyente).get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    assert r.status_code == 403
    assert conforme(r.json(), "Error")["codigo"] == "solo_personal"
    assert filas(solicitud) == []


def test_a_download_of_a_file_that_is_not_there_writes_nothing(contribuyente, analista):
    sin_evidencia = presentar(contribuyente, servicio="orientacion", evidencia=None)
    staff = sesion_de(analista)
    assert staff.get(f"/atencion/{sin_evidencia.folio}/evidencia").status_code == 404
    assert staff.get(f"/atencion/{sin_evidencia.folio}/respuesta.pdf").status_code == 404
    assert filas(sin_evidencia) == []


def test_a_refused_action_writes_no_action_row(solicitud, analista, supervisor):
    """The page shown again with the refusal is a view (it shows the whole request
    again): one 'consulta'; the refused action itself leaves nothing."""
    folio = solicitud.folio
    staff = sesion_de(analista)
    r = staff.post(f"/atencion/{folio}/prorroga", {"nota": "Quiero más días.", "dias_habiles": "2"})
    assert r.status_code == 403  # only the area's supervisor extends
    assert filas(solicitud) == [(ANALISTA.username, "analista", "emisiones", "consulta", "web")]
    r = sesion_de(supervisor).post(f"/atencion/{folio}/prorroga", {"nota": "", "dias_habiles": "2"})
    assert r.status_code == 400
    r = sesion_de(supervisor).post(
        f"/atencion/{folio}/prorroga", {"nota": "Más días.", "dias_habiles": "99"}
    )
    assert r.status_code == 400  # dias_invalidos: refused inside the action's transaction
    assert [f[3] for f in filas(solicitud)] == ["consulta", "consulta", "consulta"]
    # Through the API a refusal is only the error: no row at all.
    antes = len(filas(solicitud))
    base = f"/api/v1/atencion/solicitudes/{folio}"
    assert post_json(api_de(supervisor), base + "/prorroga", {"nota": ""}).status_code == 400
    assert api_de(analista).post(base + "/respuesta", {"texto": "Sin PDF."}).status_code == 400
    services.responder(solicitud=solicitud, actor=analista, texto="Listo.", documento=pdf_subido())
    r = api_de(analista).post(base + "/respuesta", {"texto": "Otra.", "documento": pdf_subido()})
    assert r.status_code == 409  # transicion_invalida: already answered
    assert [f[3] for f in filas(solicitud)][antes:] == ["respuesta"]


def test_an_action_that_cannot_be_audited_does_not_happen(solicitud, supervisor, monkeypatch):
    """The row is written in the action's transaction: if it fails, so does the action."""

    def falla(**_):
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(auditoria, "registrar", falla)
    with pytest.raises(RuntimeError):
        services.otorgar_prorroga(
            solicitud=solicitud, actor=supervisor, nota="Falta el banco.", dias_habiles=2
        )
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert guardada.estatus == "recibido"
    assert guardada.respuesta_a_partir_del == solicitud.respuesta_a_partir_del
    assert not Evento.objects.filter(solicitud=solicitud, tipo=Evento.Tipo.PRORROGA).exists()


def test_after_a_canalizacion_rows_keep_the_area_they_were_written_in(
    solicitud, analista, supervisor
):
    folio = solicitud.folio
    sesion_de(analista).get(f"/atencion/{folio}/")
    jefa = sesion_de(supervisor)  # supervisor of emisiones and of atencion-buzon
    r = jefa.post(
        f"/atencion/{folio}/canalizacion",
        {"nota": "Es de activación.", "servicio": "orientacion", "asunto": "activacion-buzon"},
    )
    assert r.status_code == 302
    assert jefa.get(f"/atencion/{folio}/").status_code == 200
    # The analyst of emisiones no longer reaches it, and leaves no trace trying.
    assert sesion_de(analista).get(f"/atencion/{folio}/").status_code == 404
    assert filas(solicitud) == [
        (ANALISTA.username, "analista", "emisiones", "consulta", "web"),
        (SUPERVISOR.username, "supervisor", "emisiones", "canalizacion", "web"),
        (SUPERVISOR.username, "supervisor", "atencion-buzon", "consulta", "web"),
    ]
    # Staff of the new area see the whole audit, the rows of the old area included.
    html = jefa.get(f"/atencion/{folio}/").content.decode()
    assert "Emisiones de cuotas obrero-patronales" in html
    assert "Canalizó la solicitud" in html
    cuerpo = api_de(supervisor).get(f"/api/v1/atencion/solicitudes/{folio}").json()
    areas = [c["area_clave"] for c in cuerpo["consultas_del_instituto"]]
    assert areas == ["emisiones", "emisiones", "atencion-buzon", "atencion-buzon", "atencion-buzon"]


def test_the_staff_page_shows_the_whole_audit_with_person_role_area_and_canal(
    solicitud, analista, supervisor
):
    api_de(supervisor).get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    services.anotar(solicitud=solicitud, actor=supervisor, nota="Llamar al patrón.")
    html = sesion_de(analista).get(f"/atencion/{solicitud.folio}/").content.decode()
    seccion = html.split('data-testid="auditoria"')[1].split("</table>")[0]
    assert "3 registros" in seccion
    filas_html = seccion.split("<tr>")[2:]  # after the header row
    assert len(filas_html) == 3
    for texto in (SUPERVISOR.username, "Supervisor", "Consultó la solicitud", "API"):
        assert texto in filas_html[0], texto
    for texto in (SUPERVISOR.username, "Agregó una nota interna", "Web"):
        assert texto in filas_html[1], texto
    for texto in (ANALISTA.username, "Analista", "Emisiones de cuotas obrero-patronales"):
        assert texto in filas_html[2], texto


def test_recording_a_view_is_one_insert_and_the_page_does_not_grow_with_the_audit(
    solicitud, analista
):
    staff = sesion_de(analista)
    url = f"/atencion/{solicitud.folio}/"
    staff.get(url)  # the first request renews the session: a write, once a minute
    with CaptureQueriesContext(connection) as una:
        assert staff.get(url).status_code == 200
    inserciones = [q["sql"] for q in una if q["sql"].startswith("INSERT")]
    assert len(inserciones) == 1 and TABLA in inserciones[0], inserciones
    assert sum(TABLA in q["sql"] for q in una) == 2  # the INSERT and the one read of the list
    for _ in range(40):
        staff.get(url)
    with CaptureQueriesContext(connection) as muchas:
        r = staff.get(url)
    assert r.content.decode().count("Consultó la solicitud") == 43
    assert len(muchas) == len(una)
    api = api_de(analista)
    api.get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    with CaptureQueriesContext(connection) as por_api:
        api.get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    inserciones = [q["sql"] for q in por_api if q["sql"].startswith("INSERT")]
    assert len(inserciones) == 1 and TABLA in inserciones[0], inserciones
    assert len(por_api) <= 12, [q["sql"] for q in por_api]


def test_views_and_downloads_cannot_be_recorded_as_actions(solicitud, analista):
    with pytest.raises(ValueError):
        auditoria.registrar_consulta(
            solicitud=solicitud, usuario=analista, accion="prorroga", canal=auditoria.WEB
        )
    with pytest.raises(ValueError):
        auditoria.registrar_consulta(solicitud=solicitud, usuario=analista, canal="correo")
    assert filas(solicitud) == []


def test_the_taxpayers_role_labels_are_the_staff_sides():
    assert dict(Adscripcion.Rol.choices) == auditoria_publica.CARGOS


def test_the_admin_reads_every_row_and_changes_none(solicitud, analista, analista_otra):
    otra = presentar(solicitud.contribuyente, asunto="icsoe")
    sesion_de(analista).get(f"/atencion/{solicitud.folio}/")
    sesion_de(analista_otra).get(f"/atencion/{otra.folio}/")
    fila = ConsultaInstitucional.objects.get(solicitud=solicitud)
    admin = get_user_model().objects.create_superuser("raiz", "raiz@example.com", "x")
    cliente = sesion_de(admin)
    base = "/admin/promociones/consultainstitucional/"
    lista = cliente.get(base)
    assert lista.status_code == 200
    html = lista.content.decode()
    assert solicitud.folio in html and otra.folio in html  # every area's rows
    assert f"{base}add/" not in html
    assert cliente.get(f"{base}add/").status_code == 403
    pagina = cliente.get(f"{base}{fila.pk}/change/")
    assert pagina.status_code == 200
    assert 'name="_save"' not in pagina.content.decode()
    assert cliente.post(f"{base}{fila.pk}/change/", {"accion": "nota"}).status_code == 403
    assert cliente.post(f"{base}{fila.pk}/delete/", {"post": "yes"}).status_code == 403
    r = cliente.post(base, {"action": "delete_selected", "_selected_action": [fila.pk]})
    assert ConsultaInstitucional.objects.filter(pk=fila.pk).exists(), r.status_code
    assert ConsultaInstitucional.objects.get(pk=fila.pk).accion == "consulta"


def cuerpo(respuesta: Any) -> bytes:
    """The whole body, streamed or not."""
    if respuesta.streaming:
        return b"".join(respuesta.streaming_content)
    return bytes(respuesta.content)


def test_staff_download_the_acuse_the_taxpayer_holds_and_it_is_one_row(
    solicitud, analista, contribuyente
):
    from promociones.tests.conftest import iniciar_sesion

    staff = sesion_de(analista)
    pagina = staff.get(f"/atencion/{solicitud.folio}/").content.decode()
    assert f'href="/atencion/{solicitud.folio}/acuses/recepcion.pdf"' in pagina
    r = staff.get(f"/atencion/{solicitud.folio}/acuses/recepcion.pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    del_personal = cuerpo(r)
    duena = iniciar_sesion(Client(), contribuyente)
    r = duena.get(f"/solicitudes/{solicitud.folio}/acuses/recepcion.pdf")
    del_contribuyente = cuerpo(r)
    assert del_personal == del_contribuyente  # the very PDF she received
    assert filas(solicitud)[-1] == (ANALISTA.username, "analista", "emisiones", "acuse", "web")
    # An acuse the request does not have is the same 404 as an unknown folio, unrecorded.
    antes = len(filas(solicitud))
    assert staff.get(f"/atencion/{solicitud.folio}/acuses/respuesta.pdf").status_code == 404
    assert len(filas(solicitud)) == antes
    # The taxpayer reads it calmly, in her Detalle.
    assert "Descargó un acuse" in duena.get(f"/solicitudes/{solicitud.folio}/").content.decode()
