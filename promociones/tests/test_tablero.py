"""Tablero principal: exactly the guide's columns, filters, pages, constant query count."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promociones.consultas import olvidar_asuntos
from promociones.models import Asunto, Estatus, Servicio, Solicitud
from promociones.tablero import COLUMNAS

pytestmark = pytest.mark.django_db

TABLERO = "/tablero/"


def crear(contribuyente, n, *, inicio=datetime(2026, 3, 2, 16, tzinfo=UTC), **campos):
    """n requests, one hour apart from ``inicio``, written directly (no files, no acuses)."""
    servicio = Servicio.objects.get(clave=campos.pop("servicio", "aclaracion"))
    asunto = Asunto.objects.get(clave=campos.pop("asunto", "emisiones"))
    filas = []
    for i in range(n):
        filas.append(
            Solicitud(
                folio=f"{servicio.inicial_folio}-2026-{Solicitud.objects.count() + i + 1:06d}",
                contribuyente=contribuyente,
                servicio=servicio,
                asunto=asunto,
                descripcion="Prueba",
                recibida=inicio + timedelta(hours=i),
                computo_desde=date(2026, 3, 2),
                respuesta_a_partir_del=date(2026, 3, 16),
                area=asunto.area,
                **campos,
            )
        )
    return Solicitud.objects.bulk_create(filas)


def folios(html):
    return re.findall(r'<td class="folio">([^<]+)</td>', html)


def test_columns_are_exactly_the_guides(cliente, contribuyente):
    crear(contribuyente, 1)
    html = cliente.get(TABLERO).content.decode()
    assert "Solicitudes Realizadas" in html
    encabezados = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert encabezados == [
        "Detalle",
        "Folio",
        "Servicio",
        "Asunto",
        "Fecha de recepción de la solicitud",
        "Respuesta a partir del",
        "Estatus",
        "Fecha de respuesta/Canalización",
    ]
    assert list(COLUMNAS) == encabezados


def test_row_shows_every_value_in_mexico_city_time(cliente, contribuyente):
    crear(
        contribuyente,
        1,
        inicio=datetime(2026, 3, 3, 5, 30, tzinfo=UTC),
        estatus=Estatus.CANALIZADO,
        fecha_respuesta_o_canalizacion=date(2026, 3, 10),
    )
    html = cliente.get(TABLERO).content.decode()
    fila = re.search(
        r'<tr><td><a href="/solicitudes/A-2026-000001/" '
        r'aria-label="Detalle de la solicitud A-2026-000001">Detalle</a>.*?</tr>',
        html,
    )
    assert fila is not None
    celdas = re.findall(r"<td[^>]*>(.*?)</td>", fila.group(0))
    assert celdas[1:] == [
        "A-2026-000001",
        "Aclaración",
        "Emisiones",
        "02/03/2026 23:30",  # 05:30 UTC is 23:30 of the previous day in Mexico City
        "16/03/2026",
        "Canalizado",
        "10/03/2026",
    ]


def test_newest_first_twenty_per_page_with_page_links(cliente, contribuyente):
    crear(contribuyente, 45)
    primera = cliente.get(TABLERO).content.decode()
    assert folios(primera) == [f"A-2026-{n:06d}" for n in range(45, 25, -1)]
    assert "página 1 de 3" in primera and "?pagina=2" in primera
    tercera = cliente.get(TABLERO, {"pagina": 3}).content.decode()
    assert folios(tercera) == [f"A-2026-{n:06d}" for n in range(5, 0, -1)]
    # A page past the end shows the last one rather than an empty table.
    assert folios(cliente.get(TABLERO, {"pagina": 9}).content.decode()) == folios(tercera)


def test_filters_by_asunto_estatus_and_folio(cliente, contribuyente):
    crear(contribuyente, 2, asunto="emisiones")
    crear(contribuyente, 1, asunto="icsoe", estatus=Estatus.ATENDIDO)
    olvidar_asuntos()
    assert folios(cliente.get(TABLERO, {"asunto": "icsoe"}).content.decode()) == ["A-2026-000003"]
    assert folios(cliente.get(TABLERO, {"estatus": "atendido"}).content.decode()) == [
        "A-2026-000003"
    ]
    assert folios(cliente.get(TABLERO, {"folio": "a-2026-000002"}).content.decode()) == [
        "A-2026-000002"
    ]
    assert folios(cliente.get(TABLERO, {"folio": "000001"}).content.decode()) == ["A-2026-000001"]


def test_page_links_keep_the_filters(cliente, contribuyente):
    crear(contribuyente, 25, asunto="icsoe")
    html = cliente.get(TABLERO, {"asunto": "icsoe"}).content.decode()
    assert "?asunto=icsoe&amp;pagina=2" in html


def test_reception_date_filter_uses_mexico_city_days(cliente, contribuyente):
    # 2 Mar 2026 23:30 and 3 Mar 2026 00:30 in Mexico City (05:30 / 06:30 UTC on the 3rd).
    crear(contribuyente, 1, inicio=datetime(2026, 3, 3, 5, 30, tzinfo=UTC))
    crear(contribuyente, 1, inicio=datetime(2026, 3, 3, 6, 30, tzinfo=UTC))
    dia_2 = {"recibida_desde": "2026-03-02", "recibida_hasta": "2026-03-02"}
    dia_3 = {"recibida_desde": "2026-03-03", "recibida_hasta": "2026-03-03"}
    assert folios(cliente.get(TABLERO, dia_2).content.decode()) == ["A-2026-000001"]
    assert folios(cliente.get(TABLERO, dia_3).content.decode()) == ["A-2026-000002"]


def test_the_page_takes_and_shows_dates_as_dd_mm_aaaa(cliente, contribuyente):
    """As people type them whatever their browser's language; AAAA-MM-DD (links, the
    API's form) reads the same, and either is shown back as dd/mm/aaaa."""
    crear(contribuyente, 1, inicio=datetime(2026, 3, 3, 5, 30, tzinfo=UTC))  # 2 Mar, CDMX
    crear(contribuyente, 1, inicio=datetime(2026, 3, 3, 6, 30, tzinfo=UTC))  # 3 Mar
    for desde, hasta in (("2/3/2026", "02/03/2026"), ("2026-03-02", "2026-03-02")):
        html = cliente.get(TABLERO, {"recibida_desde": desde, "recibida_hasta": hasta})
        texto = html.content.decode()
        assert folios(texto) == ["A-2026-000001"]
        assert re.search(r'<input type="text" id="f-desde"[^>]* value="02/03/2026"', texto)
        assert re.search(r'<input type="text" id="f-hasta"[^>]* value="02/03/2026"', texto)
    assert 'placeholder="dd/mm/aaaa"' in texto and 'inputmode="numeric"' in texto


@pytest.mark.parametrize("valor", ["31/02/2026", "ayer", "2026/03/02", "02/03/26"])
def test_bad_filter_values_show_a_message_by_the_field_not_an_error_page(
    cliente, contribuyente, valor
):
    r = cliente.get(TABLERO, {"recibida_hasta": valor})
    assert r.status_code == 200
    html = r.content.decode()
    assert "dd/mm/aaaa o AAAA-MM-DD" in html
    # Tied to its field, which keeps what was typed.
    encontrado = re.search(r'<input type="text" id="f-hasta"[^>]*>', html)
    assert encontrado is not None
    campo = encontrado.group(0)
    assert 'aria-invalid="true"' in campo and "error-filtros" in campo
    assert f'value="{valor}"' in campo
    assert 'id="error-filtros"' in html


def test_only_the_taxpayers_own_requests_appear(cliente, contribuyente, otro_contribuyente):
    crear(otro_contribuyente, 3)
    html = cliente.get(TABLERO).content.decode()
    assert folios(html) == []
    assert "No hay solicitudes" in html


def test_values_are_escaped(cliente, contribuyente):
    Asunto.objects.filter(clave="emisiones").update(nombre="<script>alert(1)</script>")
    crear(contribuyente, 1)
    html = cliente.get(TABLERO).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def consultas_del_tablero(cliente):
    cliente.get(TABLERO)  # warm the per-process asunto cache
    with CaptureQueriesContext(connection) as capturadas:
        r = cliente.get(TABLERO)
    assert r.status_code == 200
    return len(capturadas)


def test_query_count_is_the_same_for_one_and_twenty_rows(cliente, contribuyente):
    crear(contribuyente, 1)
    con_una = consultas_del_tablero(cliente)
    crear(contribuyente, 39)
    con_veinte = consultas_del_tablero(cliente)
    assert con_una == con_veinte


def test_a_page_read_from_the_database_costs_two_queries(
    cliente, contribuyente, django_assert_num_queries
):
    crear(contribuyente, 45)
    cliente.get(TABLERO)  # warm the per-process asunto cache and renew the session
    # The session joined with its user, taxpayer and the version of the taxpayer's
    # requests, then the page's rows with their COUNT; no write: the session was renewed
    # less than a minute ago.
    with django_assert_num_queries(2):
        r = cliente.get(TABLERO, {"pagina": 2, "asunto": "emisiones"})
    assert len(folios(r.content.decode())) == 20


@pytest.mark.django_db(databases=[])
def test_las_fechas_de_la_tabla_son_las_de_strftime():
    """The rows format dates by hand for speed; they must read exactly as strftime would,
    in Mexico City time, across a year of hours (and the old daylight-saving changes)."""
    from calendario.services import ZONA_MEXICO
    from promociones.tablero import _fecha, _momento

    momento = datetime(2021, 12, 31, 23, 59, tzinfo=UTC)
    for _ in range(24 * 500):
        esperado = momento.astimezone(ZONA_MEXICO).strftime("%d/%m/%Y %H:%M")
        assert _momento(momento) == esperado
        assert _fecha(momento.date()) == momento.date().strftime("%d/%m/%Y")
        momento += timedelta(minutes=61)
    assert _fecha(None) == "—"


def test_a_page_seen_again_costs_one_query_and_a_change_shows_at_once(
    cliente, contribuyente, django_assert_num_queries
):
    crear(contribuyente, 3)
    cliente.get(TABLERO)
    primera = cliente.get(TABLERO).content.decode()
    # The session's read, which brings the version of the taxpayer's requests with it
    # (decision 0023); not the page.
    with django_assert_num_queries(1):
        otra = cliente.get(TABLERO).content.decode()
    assert otra.count("<td>Atendido</td>") == 0 and folios(otra) == folios(primera)
    Solicitud.objects.filter(folio="A-2026-000003").update(estatus=Estatus.ATENDIDO)
    despues = cliente.get(TABLERO).content.decode()
    assert despues.count("<td>Atendido</td>") == 1


def test_a_page_number_with_too_many_digits_is_a_message_not_an_error_page(cliente, contribuyente):
    crear(contribuyente, 2)
    r = cliente.get(TABLERO, {"pagina": "9" * 20})
    assert r.status_code == 200
    assert "entre 1 y 1,000,000" in r.content.decode()
    assert len(folios(r.content.decode())) == 2


def test_a_page_shown_with_an_error_is_not_what_the_same_page_shows_without_one(
    cliente, contribuyente
):
    """The main part is kept with the remembered page only when shown without an error
    (decision 0023): the default page a bad filter falls back to must not keep its
    message, and a page seen again shows what changed since."""
    crear(contribuyente, 2)
    con_error = cliente.get(TABLERO, {"recibida_hasta": "ayer"}).content.decode()
    assert 'id="error-filtros"' in con_error and len(folios(con_error)) == 2
    limpia = cliente.get(TABLERO).content.decode()
    assert 'id="error-filtros"' not in limpia and 'aria-invalid="true"' not in limpia
    assert folios(limpia) == folios(con_error)
    assert _principal(cliente.get(TABLERO).content.decode()) == _principal(limpia)
    crear(contribuyente, 1)
    assert len(folios(cliente.get(TABLERO).content.decode())) == 3


def _principal(html):
    return html[html.index("<h1>") : html.index("</section>")]


def test_the_session_s_read_brings_the_version_of_the_taxpayer_s_requests(cliente, contribuyente):
    """cuentas.sesiones reads promociones' version with the session (decision 0023): the
    value is the database's, None before the first request, and gone from an API token's
    read, which then reads it on its own."""
    from cuentas.models import TokenApi
    from cuentas.sesiones import sesion_con_usuario, token_con_usuario
    from promociones.consultas import LEER, version_traida
    from promociones.models import ConteoSolicitudes

    clave = cliente.session.session_key
    leida = sesion_con_usuario(clave)
    assert leida is not None and leida[1] is not None
    assert version_traida(leida[1].contribuyente) is None  # no requests yet
    crear(contribuyente, 2)
    version = ConteoSolicitudes.objects.get(contribuyente=contribuyente).version
    leida = sesion_con_usuario(clave)
    assert leida is not None and leida[1] is not None
    assert version_traida(leida[1].contribuyente) == version
    Solicitud.objects.filter(contribuyente=contribuyente).update(estatus=Estatus.ATENDIDO)
    leida = sesion_con_usuario(clave)
    assert leida is not None and leida[1] is not None
    despues = version_traida(leida[1].contribuyente)
    assert isinstance(despues, int) and despues > version
    from django.utils import timezone

    ahora = timezone.now()
    token = TokenApi.objects.create(
        usuario=contribuyente.usuario,
        clave_sha256=TokenApi.hash_de("clave-de-prueba"),
        tipo=TokenApi.Tipo.SESION,
        creado=ahora,
        ultimo_uso=ahora,
        expira=ahora + timedelta(hours=1),
    )
    traido = token_con_usuario(token.clave_sha256)
    assert traido is not None and version_traida(traido.usuario.contribuyente) is LEER
