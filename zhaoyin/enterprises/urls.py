from django.urls import path

from zhaoyin.enterprises import import_views, pickers, views

app_name = "enterprises"

urlpatterns = [
    # The search pickers' suggestions (core.pickers, issue 16).
    path("pick/", pickers.pick, name="pick"),
    path("", views.enterprise_list, name="list"),
    path("import/", import_views.IMPORT.upload, name="import"),
    path("import/commit/", import_views.IMPORT.commit, name="import_commit"),
    path("import/template/", import_views.enterprise_import_template_download, name="import_template"),
    path("import/<int:pk>/", import_views.IMPORT.result, name="import_result"),
    path("import/<int:pk>/errors/", import_views.IMPORT.errors, name="import_errors"),
    path("export/", import_views.enterprise_export_view, name="export"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/figures/", views.enterprise_figures, name="figures"),
]
