from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from api.main import api
from relance import pages

# The pages composed from every app (see relance/pages.py), at the paths the ledger's own
# pages sit beside.
page_patterns: list[URLPattern] = [
    path("", pages.dashboard, name="dashboard"),
    path("retards/", pages.late_payments, name="late_payments"),
    path("retards/<str:key>/", pages.late_bucket, name="late_bucket"),
    path("clients/<int:pk>/", pages.client_detail, name="client_detail"),
    path("factures/<int:pk>/", pages.invoice_detail, name="invoice_detail"),
    path("factures/<int:pk>/annuler/", pages.invoice_cancel, name="invoice_cancel"),
    path("factures/<int:pk>/reglements/", pages.payment_create, name="payment_create"),
    path("factures/<int:pk>/avoirs/", pages.credit_note_create, name="credit_note_create"),
    path("reglements/<int:pk>/supprimer/", pages.payment_delete, name="payment_delete"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((page_patterns, "pages"))),
    path("", include("ledger.urls")),
    path("", include("dunning.statement_urls")),
    path("compte/", include("accounts.urls")),
    path("relances/", include("dunning.urls")),
    path("recouvrement/", include("recovery.urls")),
    path("taux/", include("rates.urls")),
    path("importer/", include("imports.urls")),
    path("banque/", include("bank.urls")),
    path("exports/", include("exports.urls")),
    path("automatisation/", include("automation.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
