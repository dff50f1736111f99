"""Two logins racing with the same reto: exactly one gets in (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from buzon.errores import ErrorDominio
from cuentas import services
from cuentas.models import IntentoAcceso
from cuentas.tests.conftest import Efirma


# serialized_rollback like promociones' folio test: a plain transactional test's flush
# re-creates content types, which that test's serialized reload then collides with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_reto_used_by_two_requests_at_once_lets_one_in(fisica: Efirma):
    resultados: list[str] = []
    retos = [services.crear_reto(sesion_key=None, direccion="192.0.2.9") for _ in range(5)]
    for reto in retos:
        barrera = threading.Barrier(2)

        def intentar(reto: object = reto, barrera: threading.Barrier = barrera) -> None:
            try:
                barrera.wait()
                services.iniciar_sesion_efirma(
                    rfc=fisica.rfc,
                    certificado_der=fisica.der,
                    reto_id=reto.reto_id,  # type: ignore[attr-defined]
                    firma=fisica.firmar(reto.texto),  # type: ignore[attr-defined]
                    direccion="192.0.2.9",
                    canal=services.CANAL_API,
                    sesion_key=None,
                )
                resultados.append("ok")
            except ErrorDominio as exc:
                resultados.append(exc.codigo)
            finally:
                connection.close()

        hilos = [threading.Thread(target=intentar) for _ in range(2)]
        for h in hilos:
            h.start()
        for h in hilos:
            h.join()
    assert sorted(resultados) == ["ok"] * 5 + ["reto_invalido"] * 5
    assert IntentoAcceso.objects.filter(exitoso=True).count() == 5
