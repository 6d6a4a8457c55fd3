from django.urls import path

from zhaoyin.talentprojects import views

app_name = "talentprojects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.project_action, name="action"),
]
