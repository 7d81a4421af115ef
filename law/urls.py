from django.urls import path

app_name = "law"

urlpatterns: list = []
