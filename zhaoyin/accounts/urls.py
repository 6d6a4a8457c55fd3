from django.urls import path

from zhaoyin.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
]

from zhaoyin.accounts import admin_views  # noqa: E402

urlpatterns += [
    path("users/", admin_views.user_list, name="user_list"),
]
