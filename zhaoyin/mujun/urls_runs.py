"""URLs of the 亩均 pages: runs (included by mujun.urls into the mujun namespace, under runs/)."""

from django.urls import path

from zhaoyin.mujun import views_runs as views

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("new/", views.run_create, name="run_create"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("grade-changes/<int:pk>/<str:action>/", views.grade_decide, name="grade_decide"),
    path("objections/files/<int:pk>/", views.objection_file, name="objection_file"),
    path("objections/<int:pk>/<str:action>/", views.objection_answer, name="objection_answer"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/object/", views.mine_object, name="mine_object"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/open/", views.run_open, name="run_open"),
    path("<int:pk>/grade-changes/", views.grade_propose, name="grade_propose"),
    path("<int:pk>/<str:action>/", views.run_action, name="run_action"),
]
