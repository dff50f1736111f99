app_name = "acuses"

urlpatterns: list = []
