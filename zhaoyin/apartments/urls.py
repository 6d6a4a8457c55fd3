"""URLs of the talent apartment pages (/apartments/) and the talent's portal pages."""

from django.urls import path

from zhaoyin.apartments import views

app_name = "apartments"

urlpatterns = [
    path("", views.building_list, name="buildings"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("units/", views.unit_list, name="units"),
    path("units/export/", views.unit_export, name="unit_export"),
    path("units/<int:pk>/maintenance/", views.unit_maintenance, name="unit_maintenance"),
    path("units/<int:pk>/allocate-next/", views.unit_allocate_next, name="unit_allocate_next"),
    path("applications/", views.application_list, name="applications"),
    path("applications/export/", views.application_export, name="application_export"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/allocate/", views.allocate_waitlist_view, name="allocate_waitlist"),
    path("waitlist/", views.waitlist_view, name="waitlist"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/files/<int:file_pk>/", views.application_file, name="application_file"),
    path("applications/<int:pk>/<str:action>/", views.application_action, name="application_action"),
    path("tenancies/", views.tenancy_list, name="tenancies"),
    path("tenancies/export/", views.tenancy_export, name="tenancy_export"),
    path("tenancies/<int:pk>/", views.tenancy_detail, name="tenancy_detail"),
    path("tenancies/<int:pk>/<str:action>/", views.tenancy_action, name="tenancy_action"),
    path("occupancy/", views.occupancy, name="occupancy"),
    path("my/", views.portal, name="portal"),
    path("my/apply/", views.portal_apply, name="portal_apply"),
]
