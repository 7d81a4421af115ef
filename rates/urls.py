from django.urls import path

from rates import views

app_name = "rates"

urlpatterns = [
    path("", views.rates, name="rates"),
    path("import/", views.import_rates, name="rates_import"),
    path("modifier/", views.rates_edit, name="rates_edit"),
    path("modifier/bce/", views.ecb_edit, name="ecb_edit"),
    path("modifier/legal/", views.legal_edit, name="legal_edit"),
]
