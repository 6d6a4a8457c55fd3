from django.urls import path

from zhaoyin.visits import views

app_name = "visits"

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/add/", views.group_member_add, name="group_member_add"),
    path("groups/<int:pk>/members/remove/", views.group_member_remove, name="group_member_remove"),
    path("groups/<int:pk>/enterprises/assign/", views.group_assign, name="group_assign"),
    path("groups/<int:pk>/enterprises/unassign/", views.group_unassign, name="group_unassign"),
    path("assignments/import/", views.IMPORT.upload, name="assign_import"),
    path("assignments/import/commit/", views.IMPORT.commit, name="assign_import_commit"),
    path("assignments/import/<int:pk>/", views.IMPORT.result, name="assign_import_result"),
    path("assignments/import/<int:pk>/errors.xlsx", views.IMPORT.errors, name="assign_import_errors"),
    path("assignments/template.xlsx", views.assign_import_template, name="assign_import_template"),
    path("assignments/export.xlsx", views.assign_export, name="assign_export"),
    path("members/import/", views.MEMBER_IMPORT.upload, name="member_import"),
    path("members/import/commit/", views.MEMBER_IMPORT.commit, name="member_import_commit"),
    path("members/import/<int:pk>/", views.MEMBER_IMPORT.result, name="member_import_result"),
    path("members/import/<int:pk>/errors.xlsx", views.MEMBER_IMPORT.errors, name="member_import_errors"),
    path("members/template.xlsx", views.member_import_template, name="member_import_template"),
    path("members/export.xlsx", views.member_export_view, name="member_export"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/export/", views.visit_export, name="visit_export"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/files/<int:pk>/", views.visit_file_download, name="visit_file"),
    path("coverage/", views.coverage, name="coverage"),
    path(
        "coverage/<int:pk>/<int:year>/q<int:quarter>/", views.coverage_gaps, name="coverage_gaps"
    ),
]
