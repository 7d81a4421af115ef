from django.urls import URLPattern, path

from imports import einvoice_views

app_name = "imports"

urlpatterns: list[URLPattern] = [
    path("factures-electroniques/", einvoice_views.einvoice_import, name="einvoice_import"),
]
