from django.urls import URLPattern, path

from imports import account_views, einvoice_views

app_name = "imports"

urlpatterns: list[URLPattern] = [
    path("factures-electroniques/", einvoice_views.einvoice_import, name="einvoice_import"),
    path("compte/", account_views.account_restore, name="account_restore"),
]
