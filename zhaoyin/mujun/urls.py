"""URLs of the 亩均 pages (/mujun/): each part of the evaluation has its own module."""

from django.urls import include, path

app_name = "mujun"

urlpatterns = [
    # Overview, distributions, a firm's results over the years, 低效用地, exports (reports).
    path("", include("zhaoyin.mujun.urls_reports")),
    # The bureaus' figures: imports with dry runs, reconciliation, parcels, bonuses.
    path("inputs/", include("zhaoyin.mujun.urls_inputs")),
    # 评价办法: the schemes as data.
    path("schemes/", include("zhaoyin.mujun.urls_schemes")),
    # Runs: results, 调档, 公示, 异议, 发布; the firm's own results (portal).
    path("runs/", include("zhaoyin.mujun.urls_runs")),
]
