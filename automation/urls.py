from django.urls import URLPattern, path

from automation import views

app_name = "automation"

urlpatterns: list[URLPattern] = [
    path("", views.automation_settings, name="settings"),
    path("a-valider/", views.approvals, name="approvals"),
    path("a-valider/selection/", views.decide_selected, name="decide_selected"),
    path("a-valider/<int:pk>/valider/", views.approve, name="approve"),
    path("a-valider/<int:pk>/ecarter/", views.dismiss, name="dismiss"),
]
