from django.urls import URLPattern, path

from imports import account_views, csv_views, einvoice_views

app_name = "imports"

urlpatterns: list[URLPattern] = [
    # CSV import (imports/csv_views.py)
    path("", csv_views.csv_upload, name="csv_upload"),
    path("csv/<int:pk>/", csv_views.csv_detail, name="csv_detail"),
    path("csv/<int:pk>/verifier/", csv_views.csv_check, name="csv_check"),
    path("csv/<int:pk>/importer/", csv_views.csv_commit, name="csv_commit"),
    path("csv/<int:pk>/progression/", csv_views.csv_progress, name="csv_progress"),
    # E-invoice import and full-account restore (imports/einvoice_views.py, imports/account_views.py)
    path("factures-electroniques/", einvoice_views.einvoice_import, name="einvoice_import"),
    path("compte/", account_views.account_restore, name="account_restore"),
]
