from typing import Any

from django.http import HttpRequest

from cuentas import vigencia

# The RFC of the representative whose e.firma opened this session (a persona moral's
# certificate names the company and its representative), kept at login: the taxpayer's
# row holds only the last one, and two representatives may be signed in at once.
REPRESENTANTE_SESION = "cuentas_representante"


def contribuyente(request: HttpRequest) -> dict[str, Any]:
    """The logged-in taxpayer, for the header that shows the name or razón social, and
    for a persona moral the representative who signed in (an RFC: SAT's certificate
    carries the representative's RFC and CURP, not the name)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"contribuyente": None, "representante": ""}
    contribuyente = getattr(user, "contribuyente", None)
    representante = ""
    if contribuyente is not None and contribuyente.tipo == "moral":
        sesion = getattr(request, "session", None)
        guardado = sesion.get(REPRESENTANTE_SESION) if sesion is not None else None
        # Sessions opened before the key existed: the row's, from the last login.
        representante = guardado if guardado is not None else contribuyente.rfc_representante
    contexto: dict[str, Any] = {"contribuyente": contribuyente, "representante": representante}
    if contribuyente is not None:
        # Every taxpayer page warns before the idle session ends (cuentas/aviso_sesion.html
        # in base.html), not only the form: a person reading a long Detalle loses the
        # session as surely as one writing.
        contexto["segundos_sesion"] = vigencia.segundos_restantes(request.session)
        contexto["aviso_sesion"] = vigencia.aviso_segundos()
    return contexto
