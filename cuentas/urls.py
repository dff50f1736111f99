app_name = "cuentas"

urlpatterns: list = []
