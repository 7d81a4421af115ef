from django.urls import URLPattern, path

from exports import views

app_name = "exports"

urlpatterns: list[URLPattern] = [
    path("", views.export_page, name="index"),
    path("balance-agee/", views.aged_balance, name="aged_balance"),
    path("clients.<str:file_format>", views.client_list_download, name="clients"),
    path("factures.<str:file_format>", views.invoice_list_download, name="invoices"),
    path("compte/", views.account_export_create, name="account_create"),
    path("compte/<int:pk>/", views.account_export_detail, name="account_detail"),
    path("compte/<int:pk>/telecharger/", views.account_export_download, name="account_download"),
]
