"""The project's URLs plus `/bench/hello/`, the hello-world baseline of the HTTP throughput measure."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from relance.urls import urlpatterns as product_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Bonjour", content_type="text/plain; charset=utf-8")


urlpatterns: list[URLPattern | URLResolver] = [path("bench/hello/", hello, name="bench_hello"), *product_urlpatterns]
