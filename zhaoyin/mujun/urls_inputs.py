"""URLs of the 亩均 pages: inputs (included by mujun.urls into the mujun namespace, under
/mujun/inputs/)."""

from django.urls import URLPattern, path

from zhaoyin.mujun import views_inputs as views

urlpatterns: list[URLPattern] = [
    path("", views.reconcile, name="inputs"),
    path("export/", views.reconcile_export, name="inputs_export"),
    path("firms/<int:enterprise_id>/", views.firm, name="inputs_firm"),
    path("firms/<int:enterprise_id>/adjustments/", views.adjustment_add, name="adjustment_add"),
    path("adjustments/<int:pk>/delete/", views.adjustment_delete, name="adjustment_delete"),
    path("imports/", views.batches, name="batches"),
    path("imports/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/", views.import_result, name="import_result"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("imports/<str:source>/", views.import_upload, name="import"),
    path("imports/<str:source>/template/", views.import_template_download, name="import_template"),
]
