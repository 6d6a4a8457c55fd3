from django.urls import path

from zhaoyin.workcalendar import views

app_name = "workcalendar"

urlpatterns = [
    path("", views.index, name="index"),
]
