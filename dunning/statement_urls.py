from django.urls import URLPattern, path

from dunning import views

app_name = "statements"

# Mounted at the site root: the statements sit under the ledger's /factures/ and /clients/.
urlpatterns: list[URLPattern] = [
    path("factures/<int:pk>/decompte.pdf", views.statement_invoice, name="statement_invoice"),
    path("clients/<int:pk>/decompte.pdf", views.statement_client, name="statement_client"),
]
