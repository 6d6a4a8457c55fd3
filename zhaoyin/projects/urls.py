from django.urls import path

from zhaoyin.projects import file_views, import_views, pickers, views

app_name = "projects"

urlpatterns = [
    # The search pickers' suggestions (core.pickers, issue 16).
    path("pick/", pickers.pick, name="pick"),
    path("", views.project_list, name="list"),
    path("export/", views.project_export_view, name="export"),
    path("<int:pk>/print/", views.project_print, name="print"),
    path("import/", import_views.IMPORT.upload, name="import"),
    path("import/commit/", import_views.IMPORT.commit, name="import_commit"),
    path("import/template/", import_views.project_import_template_download, name="import_template"),
    path("import/<int:pk>/", import_views.IMPORT.result, name="import_result"),
    path("funds-import/", import_views.funds_import, name="funds_import"),
    path("funds-import/template/", import_views.funds_import_template_download, name="funds_import_template"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/stage/", views.project_stage_change, name="stage_change"),
    path("<int:pk>/funds/", views.project_fund_add, name="fund_add"),
    path("<int:pk>/funds/correct/", views.project_fund_correct, name="fund_correct"),
    path("evidence/<int:pk>/", file_views.evidence_download, name="evidence"),
    # Funds verification (核查): the verifier's actions, queue and the 到账凭证 files.
    path("<int:pk>/funds/verify/", views.project_fund_verify, name="fund_verify"),
    path("<int:pk>/funds/reject/", views.project_fund_reject, name="fund_reject"),
    path("funds/to-verify/", views.funds_queue, name="funds_queue"),
    path("funds/to-verify/export/", views.funds_queue_export_view, name="funds_queue_export"),
    path("funds/evidence/<int:pk>/", file_views.fund_evidence_download, name="fund_evidence"),
]
