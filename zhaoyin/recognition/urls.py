"""URLs of the recognition pages (/recognition/)."""

from django.urls import path

from zhaoyin.recognition import views

app_name = "recognition"

urlpatterns = [
    path("", views.recognition_list, name="list"),
    path("export/", views.recognition_export_view, name="export"),
    path("publicity/", views.publicity_list, name="publicity"),
    path("publicity/export/", views.publicity_export, name="publicity_export"),
    path("rules/", views.rule_set_list, name="rule_set_list"),
    path("rules/export/", views.rule_set_export, name="rule_set_export"),
    path("rules/new/", views.rule_set_create, name="rule_set_create"),
    path("rules/<int:pk>/", views.rule_set_detail, name="rule_set_detail"),
    path("rules/<int:pk>/edit/", views.rule_set_edit, name="rule_set_edit"),
    path("rules/<int:pk>/activate/", views.rule_set_activate, name="rule_set_activate"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("mine/", views.mine, name="mine"),
    path("mine/apply/", views.mine_apply, name="mine_apply"),
    path("mine/files/<int:pk>/", views.mine_file, name="mine_file"),
    path("mine/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/<str:action>/", views.mine_action, name="mine_action"),
    path("<int:pk>/", views.recognition_detail, name="detail"),
    path("<int:pk>/open/", views.recognition_open, name="open"),
    path("<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("<int:pk>/objections/<int:objection_id>/answer/", views.objection_answer, name="objection_answer"),
    path("<int:pk>/<str:action>/", views.recognition_action, name="action"),
]
