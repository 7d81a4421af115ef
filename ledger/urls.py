from django.urls import URLPattern, path

from ledger import views

app_name = "ledger"

urlpatterns: list[URLPattern] = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/nouveau/", views.client_create, name="client_create"),
    path("clients/<int:pk>/modifier/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/supprimer/", views.client_delete, name="client_delete"),
    path("factures/", views.invoice_list, name="invoice_list"),
    path("factures/nouvelle/", views.invoice_create, name="invoice_create"),
    path("factures/echeance/", views.due_date_hint, name="due_date_hint"),
    path("factures/<int:pk>/modifier/", views.invoice_edit, name="invoice_edit"),
    path("factures/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
