"""Registering and confirming contact means; where the notices of a request go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from atencion.services import otorgar_prorroga
from avisos.models import Aviso
from buzon.errores import ErrorDominio
from contacto import services
from contacto.models import CambioMedio, MedioContacto
from contacto.tests.conftest import codigo_enviado, otro_codigo
from tests.personas import CONTRIBUYENTE

pytestmark = pytest.mark.django_db

ACTOR = CONTRIBUYENTE.rfc


def telefono_confirmado(contribuyente, numero="5587654321") -> MedioContacto:
    ahora = timezone.now()
    services.registrar_telefono(
        contribuyente=contribuyente, actor=ACTOR, numero=numero, ahora=ahora
    )
    return services.confirmar_telefono(
        contribuyente=contribuyente, actor=ACTOR, codigo=codigo_enviado(numero), ahora=ahora
    )


def correo_confirmado(contribuyente, direccion="maria@dominio.mx") -> MedioContacto:
    services.registrar_correo(contribuyente=contribuyente, actor=ACTOR, direccion=direccion)
    return services.confirmar_correo(
        contribuyente=contribuyente,
        actor=ACTOR,
        direccion=direccion,
        codigo=codigo_enviado(direccion),
    )


def test_a_code_is_sent_stored_hashed_and_confirms_the_phone(contribuyente):
    medio = services.registrar_telefono(
        contribuyente=contribuyente, actor=ACTOR, numero="(55) 8765-4321"
    )
    codigo = codigo_enviado("5587654321")
    assert medio.valor == "5587654321"
    assert codigo not in medio.codigo_hash and len(medio.codigo_hash) == 64
    aviso = Aviso.objects.get(evento="codigo")
    assert (aviso.canal, aviso.solicitud, aviso.segmentos) == ("sms", None, 1)
    assert contribuyente.rfc not in aviso.texto and contribuyente.nombre not in aviso.texto
    confirmado = services.confirmar_telefono(
        contribuyente=contribuyente, actor=ACTOR, codigo=codigo
    )
    assert confirmado.confirmado is not None
    assert confirmado.codigo_hash == ""
    eventos = list(CambioMedio.objects.values_list("evento", "destino"))
    assert eventos == [("alta", "55******21"), ("confirmacion", "55******21")]


def test_codes_expire_at_72_hours(contribuyente):
    ahora = timezone.now()
    services.registrar_telefono(
        contribuyente=contribuyente, actor=ACTOR, numero="5587654321", ahora=ahora
    )
    codigo = codigo_enviado("5587654321")
    with pytest.raises(ErrorDominio) as error:
        services.confirmar_telefono(
            contribuyente=contribuyente,
            actor=ACTOR,
            codigo=codigo,
            ahora=ahora + timedelta(hours=72),
        )
    assert error.value.codigo == "codigo_vencido"
    # A second before, it still works.
    medio = services.confirmar_telefono(
        contribuyente=contribuyente,
        actor=ACTOR,
        codigo=codigo,
        ahora=ahora + timedelta(hours=72) - timedelta(seconds=1),
    )
    assert medio.confirmado is not None


def test_five_wrong_tries_lock_the_code_even_the_right_one(contribuyente):
    services.registrar_correo(
        contribuyente=contribuyente, actor=ACTOR, direccion="Maria@Dominio.MX"
    )
    codigo = codigo_enviado("Maria@dominio.mx")
    for quedan in (4, 3, 2, 1, 0):
        with pytest.raises(ErrorDominio) as error:
            services.confirmar_correo(
                contribuyente=contribuyente,
                actor=ACTOR,
                direccion="Maria@dominio.mx",
                codigo=otro_codigo(codigo),
            )
        assert error.value.codigo == "codigo_invalido"
        assert (f"Te quedan {quedan} intentos" in error.value.mensaje) == (quedan > 0)
    with pytest.raises(ErrorDominio) as error:
        services.confirmar_correo(
            contribuyente=contribuyente, actor=ACTOR, direccion="Maria@dominio.mx", codigo=codigo
        )
    assert (error.value.codigo, error.value.status) == ("demasiados_intentos", 429)
    assert MedioContacto.objects.get().confirmado is None


@pytest.mark.parametrize("codigo", ["", "12345", "1234567", "١٢٣٤٥٦", None, 123456, "12 456"])
def test_malformed_codes_are_wrong_tries(contribuyente, codigo):
    services.registrar_telefono(contribuyente=contribuyente, actor=ACTOR, numero="5587654321")
    with pytest.raises(ErrorDominio) as error:
        services.confirmar_telefono(contribuyente=contribuyente, actor=ACTOR, codigo=codigo)
    assert error.value.codigo == "codigo_invalido"
    assert MedioContacto.objects.get().intentos == 1


def test_resending_is_limited_per_minute_and_per_day(contribuyente):
    ahora = timezone.now()
    medio = services.registrar_telefono(
        contribuyente=contribuyente, actor=ACTOR, numero="5587654321", ahora=ahora
    )
    with pytest.raises(ErrorDominio) as error:
        services.reenviar_codigo(
            contribuyente=contribuyente,
            actor=ACTOR,
            medio_id=medio.pk,
            ahora=ahora + timedelta(seconds=30),
        )
    assert error.value.status == 429
    for i in range(1, 5):
        services.reenviar_codigo(
            contribuyente=contribuyente,
            actor=ACTOR,
            medio_id=medio.pk,
            ahora=ahora + timedelta(minutes=2 * i),
        )
    with pytest.raises(ErrorDominio) as error:
        services.reenviar_codigo(
            contribuyente=contribuyente,
            actor=ACTOR,
            medio_id=medio.pk,
            ahora=ahora + timedelta(minutes=20),
        )
    assert error.value.codigo == "demasiados_intentos"
    assert Aviso.objects.filter(evento="codigo").count() == 5
    # A new code replaces the old one and resets the tries.
    services.reenviar_codigo(
        contribuyente=contribuyente,
        actor=ACTOR,
        medio_id=medio.pk,
        ahora=ahora + timedelta(days=1, minutes=1),
    )
    assert Aviso.objects.filter(evento="codigo").count() == 6


def test_at_most_five_addresses(contribuyente):
    for i in range(5):
        services.registrar_correo(
            contribuyente=contribuyente, actor=ACTOR, direccion=f"c{i}@dominio.mx"
        )
    with pytest.raises(ErrorDominio) as error:
        services.registrar_correo(
            contribuyente=contribuyente, actor=ACTOR, direccion="c6@dominio.mx"
        )
    assert error.value.codigo == "limite_de_correos"


@pytest.mark.parametrize(
    "direccion", ["", "sin-arroba", "a@b", "x" * 250 + "@d.mx", "a b@dominio.mx", None, ["a@b.mx"]]
)
def test_bad_addresses_are_refused(contribuyente, direccion):
    with pytest.raises(ErrorDominio) as error:
        services.registrar_correo(contribuyente=contribuyente, actor=ACTOR, direccion=direccion)
    assert error.value.codigo == "correo_invalido"


@pytest.mark.parametrize(
    "numero", ["", "55 1234 567", "55123456789", "５５１２３４５６７８", "1" * 40, 5512345678]
)
def test_bad_phones_are_refused(contribuyente, numero):
    with pytest.raises(ErrorDominio) as error:
        services.registrar_telefono(contribuyente=contribuyente, actor=ACTOR, numero=numero)
    assert error.value.codigo == "telefono_invalido"


def test_changing_the_phone_keeps_the_old_one_until_confirmed_and_tells_it(contribuyente):
    telefono_confirmado(contribuyente, "5511111111")
    correo_confirmado(contribuyente)
    Aviso.objects.all().delete()
    ahora = timezone.now()
    services.registrar_telefono(
        contribuyente=contribuyente, actor=ACTOR, numero="5522222222", ahora=ahora
    )
    assert services.medios_a_dict(contribuyente)["telefono"] == {
        "numero": "5511111111",
        "confirmado": True,
    }
    services.confirmar_telefono(
        contribuyente=contribuyente, actor=ACTOR, codigo=codigo_enviado("5522222222"), ahora=ahora
    )
    medios = services.medios_a_dict(contribuyente)
    assert medios["telefono"] == {"numero": "5522222222", "confirmado": True}
    cambios = Aviso.objects.filter(evento="cambio_medio")
    assert sorted(cambios.values_list("destino", flat=True)) == [
        "5511111111",
        "maria@dominio.mx",
    ]
    for aviso in cambios:
        assert "55******22" in aviso.texto and "5522222222" not in aviso.texto


def test_removing_a_confirmed_address_tells_it_and_the_others(contribuyente):
    telefono_confirmado(contribuyente)
    correo_confirmado(contribuyente, "a@dominio.mx")
    Aviso.objects.all().delete()
    services.quitar_correo(contribuyente=contribuyente, actor=ACTOR, direccion="a@dominio.mx")
    assert sorted(
        Aviso.objects.filter(evento="cambio_medio").values_list("destino", flat=True)
    ) == ["5587654321", "a@dominio.mx"]
    assert services.medios_a_dict(contribuyente)["correos"] == []


def test_a_persona_morals_means_belong_to_the_rfc_not_the_representative(otro_contribuyente):
    # The shared company persona, represented by the shared individual.
    contribuyente = otro_contribuyente
    contribuyente.rfc_representante = CONTRIBUYENTE.rfc
    contribuyente.save()
    telefono_confirmado(contribuyente)
    # Another representative of the same company signs in later.
    contribuyente.rfc_representante = "LOAR700101XY2"
    contribuyente.save()
    assert services.medios_a_dict(contribuyente)["telefono"]["confirmado"] is True
    assert services.tiene_confirmados(contribuyente)


def test_notices_go_to_the_confirmed_means_only(contribuyente, solicitud, supervisor):
    telefono_confirmado(contribuyente)
    correo_confirmado(contribuyente, "a@dominio.mx")
    services.registrar_correo(
        contribuyente=contribuyente, actor=ACTOR, direccion="pendiente@dominio.mx"
    )
    otorgar_prorroga(
        solicitud=solicitud, actor=supervisor, nota="Falta información", dias_habiles=5
    )
    avisos = Aviso.objects.filter(solicitud=solicitud, evento="prorroga")
    assert sorted(avisos.values_list("canal", "destino")) == [
        ("email", "a@dominio.mx"),
        ("sms", "5587654321"),
    ]
    evento = solicitud.eventos.get(tipo="prorroga")
    assert evento.datos["aviso_sms"]["destino"] == "55******21"
    assert evento.datos["aviso_correo"] == {"destinos": ["a***@dominio.mx"]}
    assert "confirmados" in evento.datos["aviso_sms"]["motivo"]


def test_without_confirmed_means_the_sms_goes_to_the_typed_phone_and_history_says_so(
    contribuyente, solicitud, supervisor
):
    services.registrar_telefono(contribuyente=contribuyente, actor=ACTOR, numero="5587654321")
    otorgar_prorroga(
        solicitud=solicitud, actor=supervisor, nota="Falta información", dias_habiles=5
    )
    (aviso,) = Aviso.objects.filter(solicitud=solicitud)
    assert (aviso.canal, aviso.destino) == ("sms", "5512345678")
    evento = solicitud.eventos.get(tipo="prorroga")
    assert "teléfono capturado en la solicitud" in evento.datos["aviso_sms"]["motivo"]


def test_an_rfc_cannot_use_phone_changes_to_send_unlimited_sms(contribuyente):
    ahora = timezone.now()
    for i in range(services.MAX_CODIGOS_RFC_DIA):
        services.registrar_telefono(
            contribuyente=contribuyente, actor=ACTOR, numero=f"55000000{i:02d}", ahora=ahora
        )
    with pytest.raises(ErrorDominio) as error:
        services.registrar_telefono(
            contribuyente=contribuyente, actor=ACTOR, numero="5599999999", ahora=ahora
        )
    assert (error.value.codigo, error.value.status) == ("demasiados_intentos", 429)
    assert Aviso.objects.filter(evento="codigo").count() == services.MAX_CODIGOS_RFC_DIA
    # The next day it may again.
    services.registrar_telefono(
        contribuyente=contribuyente,
        actor=ACTOR,
        numero="5599999999",
        ahora=ahora + timedelta(days=1, seconds=1),
    )
