"""URLs of the payout ledger pages (/payouts/)."""

from django.urls import path

from zhaoyin.payouts import views

app_name = "payouts"

urlpatterns = [
    path("", views.payout_list, name="list"),
    path("export/", views.payout_export_view, name="export"),
    path("totals/", views.payout_totals, name="totals"),
    path("new/", views.payout_create, name="create"),
    # 我的补贴: the talent portal's own subsidies (issue 13).
    path("mine/", views.payout_mine, name="mine"),
    path("talents/<int:talent>/schedules/<int:policy>/", views.payout_schedule_start, name="schedule_start"),
    path("<int:pk>/", views.payout_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.payout_action, name="action"),
]
