from django.urls import path

from zhaoyin.matters import views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_create, name="create"),
    path("flowchart/", views.matter_flowchart, name="flowchart"),
    path("supervision/", views.matter_supervision, name="supervision"),
    path("bulletin/", views.matter_bulletin, name="bulletin"),
    path("files/<int:pk>/", views.matter_file_download, name="file"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/actions/<str:action>/", views.matter_action, name="action"),
]
