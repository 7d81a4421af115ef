from django.urls import path

from law import views

app_name = "law"

urlpatterns = [
    path("", views.rates, name="rates"),
    path("import/", views.import_rates, name="rates_import"),
]
