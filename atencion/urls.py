from django.urls import path

from atencion import api, cola, ingreso, supervision, views

app_name = "atencion"

urlpatterns = [
    path("atencion/acceso/", ingreso.Acceso.as_view(), name="acceso"),
    path("atencion/acceso/codigo/", ingreso.codigo, name="acceso_codigo"),
    path("atencion/acceso/alta/", ingreso.alta, name="acceso_alta"),
    # Before atencion/<folio>/: not a folio either.
    path(
        "atencion/codigos-de-recuperacion/",
        ingreso.codigos_recuperacion,
        name="codigos_recuperacion",
    ),
    path("atencion/", cola.lista, name="lista"),
    path("atencion/exportar.csv", cola.exportar, name="exportar"),
    path("atencion/asignaciones", cola.asignar, name="asignacion_masiva"),
    # Before atencion/<folio>/: "avisos" and "supervision" are not folios.
    path("atencion/avisos/", views.avisos_fallidos, name="avisos"),
    path("atencion/avisos/<aviso_id>/reintento", views.reintentar_aviso, name="reintentar_aviso"),
    path("atencion/supervision/", supervision.pagina, name="supervision"),
    path("atencion/<str:folio>/", views.detalle, name="detalle"),
    path("atencion/<str:folio>/prorroga", views.prorroga, name="prorroga"),
    path("atencion/<str:folio>/canalizacion", views.canalizacion, name="canalizacion"),
    path("atencion/<str:folio>/respuesta", views.respuesta, name="respuesta"),
    path("atencion/<str:folio>/nota", views.nota, name="nota"),
    path("atencion/<str:folio>/asignacion", views.asignacion, name="asignacion"),
    path("atencion/<str:folio>/evidencia", views.evidencia, name="evidencia"),
    path("atencion/<str:folio>/respuesta.pdf", views.documento_respuesta, name="documento"),
    path("atencion/<str:folio>/acuses/<slug:tipo>.pdf", views.acuse, name="acuse"),
    path("api/v1/atencion/solicitudes", cola.solicitudes_api, name="api_solicitudes"),
    path("api/v1/atencion/solicitudes.csv", cola.solicitudes_csv, name="api_solicitudes_csv"),
    path("api/v1/atencion/indicadores", supervision.api, name="api_indicadores"),
    path("api/v1/atencion/solicitudes/<str:folio>", api.detalle, name="api_detalle"),
    path("api/v1/atencion/solicitudes/<str:folio>/prorroga", api.prorroga, name="api_prorroga"),
    path(
        "api/v1/atencion/solicitudes/<str:folio>/canalizacion",
        api.canalizacion,
        name="api_canalizacion",
    ),
    path("api/v1/atencion/solicitudes/<str:folio>/respuesta", api.respuesta, name="api_respuesta"),
    path(
        "api/v1/atencion/solicitudes/<str:folio>/asignacion",
        api.asignacion,
        name="api_asignacion",
    ),
    path("api/v1/atencion/solicitudes/<str:folio>/avisos", api.avisos, name="api_avisos"),
]
