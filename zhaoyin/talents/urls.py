from django.urls import path

from zhaoyin.talents import pickers, views

app_name = "talents"

urlpatterns = [
    # The search pickers' suggestions (core.pickers, issue 16).
    path("pick/", pickers.pick, name="pick"),
    path("pick/employers/", pickers.pick_employers, name="pick_employers"),
    path("", views.talent_list, name="list"),
    path("new/", views.talent_create, name="create"),
    path("mine/", views.talent_mine, name="mine"),
    path("export/", views.talent_export_view, name="export"),
    path("import/", views.IMPORT.upload, name="import"),
    path("import/commit/", views.IMPORT.commit, name="import_commit"),
    path("import/template/", views.talent_import_template_download, name="import_template"),
    path("import/<int:pk>/", views.IMPORT.result, name="import_result"),
    path("import/<int:pk>/errors/", views.IMPORT.errors, name="import_errors"),
    path("stations/", views.station_list, name="station_list"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/arrived/", views.lead_arrived, name="lead_arrived"),
    path("<int:pk>/", views.talent_detail, name="detail"),
    path("<int:pk>/edit/", views.talent_edit, name="edit"),
    path("<int:pk>/reveal/", views.talent_reveal, name="reveal"),
    path("<int:pk>/depart/", views.talent_depart, name="depart"),
    path("<int:pk>/account/", views.talent_link_account, name="link_account"),
]
