from django.urls import path

from zhaoyin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.inbox_read_all, name="read_all"),
    path("<int:pk>/read/", views.notification_read, name="read"),
]
