from django.urls import path

from contacto import api, views

app_name = "contacto"

urlpatterns = [
    path("medios/", views.medios, name="medios"),
    path("medios/telefono", views.telefono, name="telefono"),
    path("medios/telefono/confirmacion", views.confirmar_telefono, name="confirmar_telefono"),
    path("medios/correos", views.correo, name="correo"),
    path(
        "medios/correos/<medio_id>/confirmacion",
        views.confirmar_correo,
        name="confirmar_correo",
    ),
    path("medios/<medio_id>/reenvio", views.reenviar, name="reenviar"),
    path("medios/<medio_id>/baja", views.quitar, name="quitar"),
    path("medios/recordatorio", views.recordatorio, name="recordatorio"),
    path("medios/recordatorio/posponer", views.posponer, name="posponer"),
    path("api/v1/medios", api.medios, name="api_medios"),
    path("api/v1/medios/telefono", api.telefono, name="api_telefono"),
    path(
        "api/v1/medios/telefono/confirmacion",
        api.confirmar_telefono,
        name="api_confirmar_telefono",
    ),
    path("api/v1/medios/correos", api.correos, name="api_correos"),
    path("api/v1/medios/correos/confirmacion", api.confirmar_correo, name="api_confirmar_correo"),
    path("api/v1/medios/correos/<direccion>", api.correo, name="api_correo"),
]
