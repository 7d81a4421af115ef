from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from api.main import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("ledger.urls")),
    path("compte/", include("accounts.urls")),
    path("relances/", include("dunning.urls")),
    path("", include("law.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
