from django.urls import path

from law import views

app_name = "law"

# Mounted at the site root: the statements sit under the ledger's /factures/ and /clients/.
urlpatterns = [
    path("taux/", views.rates, name="rates"),
    path("taux/import/", views.import_rates, name="rates_import"),
    path("factures/<int:pk>/decompte.pdf", views.statement_invoice, name="statement_invoice"),
    path("clients/<int:pk>/decompte.pdf", views.statement_client, name="statement_client"),
]
