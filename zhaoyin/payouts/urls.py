"""URLs of the payout ledger pages (/payouts/)."""

from django.urls import path

from zhaoyin.payouts import application_views, views

app_name = "payouts"

urlpatterns = [
    path("", views.payout_list, name="list"),
    path("export/", views.payout_export_view, name="export"),
    path("totals/", views.payout_totals, name="totals"),
    path("totals/export/", views.payout_totals_export, name="totals_export"),
    path("new/", views.payout_create, name="create"),
    # 我的补贴: the talent portal's own subsidies (issue 13).
    path("mine/", views.payout_mine, name="mine"),
    # 我的兑现: the enterprise portal's own entries and its steps (issue 15).
    path("benefits/", views.benefit_mine, name="benefits"),
    path("benefits/<int:pk>/<str:action>/", views.benefit_action, name="benefit_action"),
    path("talents/<int:talent>/schedules/<int:policy>/", views.payout_schedule_start, name="schedule_start"),
    # 人才补贴申请 (payouts.application_views), before the entries' own "<pk>/<action>/".
    path("applications/", application_views.application_list, name="application_list"),
    path("applications/export/", application_views.application_export, name="application_export"),
    path("applications/mine/", application_views.application_mine, name="application_mine"),
    path("applications/mine/<int:pk>/<str:action>/", application_views.application_mine_action,
         name="application_mine_action"),
    path("applications/apply/<int:policy>/", application_views.application_apply, name="application_apply"),
    path("applications/<int:pk>/", application_views.application_detail, name="application_detail"),
    path("applications/<int:pk>/open/", application_views.application_open, name="application_open"),
    path("applications/<int:pk>/files/<int:file_pk>/", application_views.application_file,
         name="application_file"),
    path("applications/<int:pk>/<str:action>/", application_views.application_action, name="application_action"),
    path("<int:pk>/", views.payout_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.payout_action, name="action"),
]
