from django.urls import path

from zhaoyin.policies import pickers, views

app_name = "policies"

urlpatterns = [
    # The search pickers' suggestions (core.pickers, issue 16).
    path("pick/", pickers.pick, name="pick"),
    path("", views.policy_list, name="list"),
    path("export/", views.policy_export_view, name="export"),
    path("import/", views.IMPORT.upload, name="import"),
    path("import/commit/", views.IMPORT.commit, name="import_commit"),
    path("import/template/", views.policy_import_template_download, name="import_template"),
    path("import/<int:pk>/", views.IMPORT.result, name="import_result"),
    path("new/", views.policy_create, name="create"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/edit/", views.policy_edit, name="edit"),
    path("<int:pk>/actions/<str:action>/", views.policy_action, name="action"),
    path("<int:pk>/files/", views.policy_files_add, name="files_add"),
    path("files/<int:pk>/", views.policy_file_download, name="file"),
]
