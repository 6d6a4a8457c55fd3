from django.urls import path

from zhaoyin.matters import portal, views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_create, name="create"),
    path("export/", views.matter_export, name="export"),
    path("flowchart/", views.matter_flowchart, name="flowchart"),
    path("supervision/", views.matter_supervision, name="supervision"),
    path("bulletin/", views.matter_bulletin, name="bulletin"),
    path("files/<int:pk>/", views.matter_file_download, name="file"),
    path("talent/", portal.talent_demand_list, name="talent_demands"),
    path("talent/new/", portal.talent_demand_create, name="talent_demand_create"),
    path("talent/<int:pk>/", portal.talent_demand_detail, name="talent_demand"),
    path("talent/<int:pk>/rate/", portal.talent_demand_rate, name="talent_demand_rate"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/print/", views.matter_print, name="print"),
    path("<int:pk>/actions/<str:action>/", views.matter_action, name="action"),
    path("<int:pk>/orders/<int:order>/", views.matter_supervision_order, name="supervision_order"),
]
