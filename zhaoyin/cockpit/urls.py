from django.urls import path

from zhaoyin.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit_page, name="index"),
    path("export/", views.cockpit_export, name="export"),
]
