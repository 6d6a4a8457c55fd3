from django.urls import path

from zhaoyin.talentprojects import portal, views

app_name = "talentprojects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("export/", views.project_export_view, name="export"),
    # The talent office's programmes and rounds.
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/export/", views.programme_export, name="programme_export"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    # The talent's own applications (portal).
    path("mine/", portal.mine, name="mine"),
    path("mine/apply/", portal.mine_apply, name="mine_apply"),
    path("mine/<int:pk>/", portal.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/withdraw/", portal.mine_withdraw, name="mine_withdraw"),
    path("<int:pk>/", views.project_detail, name="detail"),
    # A notice's link (the portal page for the talent, the staff page for staff); no action
    # of the table is called "open".
    path("<int:pk>/open/", views.project_open, name="open"),
    path("<int:pk>/<str:action>/", views.project_action, name="action"),
]
