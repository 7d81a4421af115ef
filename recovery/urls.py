from django.urls import URLPattern, path

from recovery import views

app_name = "recovery"

urlpatterns: list[URLPattern] = [
    path("", views.case_list, name="case_list"),
    path("export.csv", views.case_export, name="case_export"),
    path("nouveau/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/etapes/", views.case_event, name="case_event"),
    path("<int:pk>/dossier-de-preuves.zip", views.case_evidence, name="case_evidence"),
    path("<int:pk>/recapitulatif-creance.pdf", views.case_summary, name="case_summary"),
    path("facture/<int:pk>/", views.invoice_case, name="invoice_case"),
    path("agences/", views.agency_list, name="agency_list"),
    path("agences/nouvelle/", views.agency_new, name="agency_new"),
    path("agences/<int:pk>/modifier/", views.agency_edit, name="agency_edit"),
    path("agences/<int:pk>/supprimer/", views.agency_delete, name="agency_delete"),
]
