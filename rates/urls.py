from django.urls import path

from rates import views

app_name = "rates"

urlpatterns = [
    path("", views.rates, name="rates"),
    path("import/", views.import_rates, name="rates_import"),
]
