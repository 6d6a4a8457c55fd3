"""URLs of the 亩均 pages: reports (included by mujun.urls into the mujun namespace)."""

from django.urls import path

from zhaoyin.mujun import views_reports as v

urlpatterns = [
    path("", v.overview, name="overview"),
    path("distribution/", v.distribution, name="distribution"),
    path("reports/<int:pk>/results/", v.report_results, name="report_results"),
    path("firms/<int:enterprise_id>/", v.firm, name="firm"),
    path("low-efficiency/", v.low_efficiency, name="low_efficiency"),
    path("low-efficiency/export/", v.low_efficiency_export, name="low_efficiency_export"),
    path("exports/<int:pk>/<str:kind>/", v.run_export, name="run_export"),
    path("rectifications/<int:pk>/", v.rectify, name="rectify"),
]
