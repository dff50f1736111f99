app_name = "promociones"

urlpatterns: list = []
