"""The project's URLs plus the hello-world baselines of the HTTP throughput measure."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from relance.urls import urlpatterns as product_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Bonjour", content_type="text/plain; charset=utf-8")


def hello_user(request: HttpRequest) -> HttpResponse:
    """Hello with what every product page pays first: the session, the user and their business."""
    business = getattr(request.user, "business", None)
    return HttpResponse(f"Bonjour {business}", content_type="text/plain; charset=utf-8")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/hello/", hello, name="bench_hello"),
    path("bench/hello-user/", hello_user, name="bench_hello_user"),
    *product_urlpatterns,
]
