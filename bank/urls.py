from django.urls import URLPattern, path

from bank import views

app_name = "bank"

urlpatterns: list[URLPattern] = [
    path("", views.reconciliation, name="reconciliation"),
    path("importer/", views.statement_upload, name="statement_upload"),
    path("confirmer-les-sures/", views.confirm_sure, name="confirm_sure"),
    path("lignes/<int:pk>/rapprocher/", views.line_match, name="line_match"),
    path("lignes/<int:pk>/ignorer/", views.line_ignore, name="line_ignore"),
]
