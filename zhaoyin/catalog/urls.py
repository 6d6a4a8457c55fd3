from django.urls import path

from zhaoyin.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("export/", views.item_export, name="item_export"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/new/", views.edition_create, name="edition_create"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
    path("editions/<int:pk>/items/", views.edition_set_items, name="edition_set_items"),
    path("editions/<int:pk>/publish/", views.edition_publish, name="edition_publish"),
    path("editions/<int:pk>/withdraw/", views.edition_withdraw, name="edition_withdraw"),
    path("editions/<int:pk>/pdf/", views.edition_pdf, name="edition_pdf"),
    path("editions/<int:pk>/xlsx/", views.edition_xlsx, name="edition_xlsx"),
]
