from django.urls import path

from zhaoyin.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.progress_page, name="progress"),
    path("funds/", views.funds_drill, name="funds"),
    path("projects/", views.projects_drill, name="projects"),
    path("talents/", views.talents_drill, name="talents"),
    path("funds/export/", views.funds_drill_export, name="funds_export"),
    path("projects/export/", views.projects_drill_export, name="projects_export"),
    path("talents/export/", views.talents_drill_export, name="talents_export"),
    path("set/", views.target_edit, name="set"),
    path("cycle-times/", views.cycle_times_page, name="cycle_times"),
    path("import/", views.IMPORT.upload, name="import"),
    path("import/commit/", views.IMPORT.commit, name="import_commit"),
    path("import/template/", views.target_import_template_download, name="import_template"),
    path("import/<int:pk>/", views.IMPORT.result, name="import_result"),
    path("export.xlsx", views.progress_export, name="export"),
    path("print/", views.progress_print, name="print"),
    path("bulletin/", views.target_bulletin, name="bulletin"),
    path("groups/", views.ranking_groups_page, name="groups"),
    path("groups/edit/", views.ranking_group_edit, name="group_edit"),
    path("groups/delete/", views.ranking_group_delete, name="group_delete"),
]
