from django.urls import URLPattern, path

from ledger import views

app_name = "ledger"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("retards/", views.late_payments, name="late_payments"),
    path("retards/<str:key>/", views.late_bucket, name="late_bucket"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/nouveau/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/modifier/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/supprimer/", views.client_delete, name="client_delete"),
    path("factures/", views.invoice_list, name="invoice_list"),
    path("factures/nouvelle/", views.invoice_create, name="invoice_create"),
    path("factures/echeance/", views.due_date_hint, name="due_date_hint"),
    path("factures/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("factures/<int:pk>/modifier/", views.invoice_edit, name="invoice_edit"),
    path("factures/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("factures/<int:pk>/annuler/", views.invoice_cancel, name="invoice_cancel"),
    path("factures/<int:pk>/reglements/", views.payment_create, name="payment_create"),
    path("factures/<int:pk>/avoirs/", views.credit_note_create, name="credit_note_create"),
    path("reglements/<int:pk>/supprimer/", views.payment_delete, name="payment_delete"),
]
