"""URLs of the 亩均 pages: schemes (评价办法) and projects' 亩均 conditions (履约); included by
mujun.urls under ``schemes/`` into the mujun namespace."""

from django.urls import path

from zhaoyin.mujun import views_schemes as views

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/copy/", views.scheme_copy, name="scheme_copy"),
    path("<int:pk>/delete/", views.scheme_delete, name="scheme_delete"),
    path("projects/<int:pk>/conditions/", views.condition_add, name="condition_add"),
    path("conditions/<int:pk>/delete/", views.condition_delete, name="condition_delete"),
    path("conditions/<int:pk>/matter/", views.condition_matter, name="condition_matter"),
]
