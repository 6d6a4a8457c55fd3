from django.urls import path

from zhaoyin.workcalendar import views

app_name = "workcalendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("exceptions/add/", views.exception_add_view, name="exception_add"),
    path("exceptions/<int:pk>/remove/", views.exception_remove_view, name="exception_remove"),
    path("import/", views.notice_import_view, name="notice_import"),
    path("official/", views.official_year_view, name="official_year"),
    path("template.xlsx", views.import_template, name="import_template"),
]
