"""The product's URLs plus a bare view, the floor the dashboard is compared against."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def vista_minima(request: HttpRequest) -> HttpResponse:
    """A trivial view: the full middleware stack and nothing else."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minima/", vista_minima, name="bench_minima"),
    path("", include("buzon.urls")),
]
