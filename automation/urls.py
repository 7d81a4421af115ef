from django.urls import URLPattern, path

from automation import views

app_name = "automation"

urlpatterns: list[URLPattern] = [
    path("", views.automation_settings, name="settings"),
    path("plans/nouveau/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/supprimer/", views.plan_delete, name="plan_delete"),
    path("clients/<int:pk>/", views.client_automation, name="client_automation"),
    path("factures/<int:pk>/", views.invoice_automation, name="invoice_automation"),
    path("a-valider/", views.approvals, name="approvals"),
    path("a-valider/selection/", views.decide_selected, name="decide_selected"),
    path("a-valider/<int:pk>/valider/", views.approve, name="approve"),
    path("a-valider/<int:pk>/ecarter/", views.dismiss, name="dismiss"),
]
