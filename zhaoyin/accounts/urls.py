from django.urls import path

from zhaoyin.accounts import admin_views, pickers, views

app_name = "accounts"

urlpatterns = [
    # The search pickers' suggestions (core.pickers, issue 16).
    path("pick/units/", pickers.pick_units, name="pick_units"),
    path("pick/users/", pickers.pick_users, name="pick_users"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    # The security administrator's pages (AC-05).
    path("users/", admin_views.user_list, name="user_list"),
    path("users/new/", admin_views.user_create_view, name="user_create"),
    path("users/<int:pk>/", admin_views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", admin_views.user_roles, name="user_roles"),
    path("users/<int:pk>/unlock/", admin_views.user_unlock_view, name="user_unlock"),
    path("users/<int:pk>/password-reset/", admin_views.user_password_reset_view, name="user_password_reset"),
    path("users/<int:pk>/active/", admin_views.user_set_active_view, name="user_set_active"),
    path("users/<int:pk>/sessions-end/", admin_views.user_sessions_end_view, name="user_sessions_end"),
    path("users/<int:pk>/totp-reset/", admin_views.user_totp_reset_view, name="user_totp_reset"),
]
