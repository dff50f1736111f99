from django.urls import path

from promociones import api, views

app_name = "promociones"

urlpatterns = [
    path("tablero/", views.tablero_principal, name="tablero"),
    path("promociones/<slug:servicio>/", views.servicio, name="servicio"),
    path("promociones/<slug:servicio>/nueva/", views.nueva, name="nueva"),
    path("promociones/<slug:servicio>/borrador", views.borrador, name="borrador"),
    path("solicitudes/<str:folio>/", views.detalle, name="detalle"),
    path("solicitudes/<str:folio>/registrada/", views.registrada, name="registrada"),
    path("solicitudes/<str:folio>/evidencia", views.evidencia, name="evidencia"),
    path("solicitudes/<str:folio>/respuesta.pdf", views.documento_respuesta, name="respuesta"),
    path("solicitudes/<str:folio>/acuses/<slug:tipo>.pdf", views.acuse, name="acuse"),
    path("api/v1/catalogo", api.catalogo, name="api_catalogo"),
    path("api/v1/solicitudes", api.solicitudes, name="api_solicitudes"),
    path("api/v1/solicitudes/<str:folio>", api.solicitud, name="api_solicitud"),
    path("api/v1/solicitudes/<str:folio>/evidencia", api.evidencia, name="api_evidencia"),
    path(
        "api/v1/solicitudes/<str:folio>/respuesta/documento",
        api.documento_respuesta,
        name="api_respuesta_documento",
    ),
    path("api/v1/solicitudes/<str:folio>/acuses/<slug:tipo>", api.acuse, name="api_acuse"),
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
]
