"""Matching pages, mounted at the site root (config/urls.py) because they sit under both the
enterprises' and the policies' paths: ``/enterprises/<id>/policies/`` and
``/policies/<id>/eligible/``."""

from django.urls import path

from zhaoyin.policies import match_views

app_name = "policy_matching"

urlpatterns = [
    path("my-policies/", match_views.my_policy_matches, name="mine"),
    path("enterprises/<int:pk>/policies/", match_views.enterprise_policy_matches, name="enterprise"),
    path("policies/<int:pk>/eligible/", match_views.policy_eligible, name="eligible"),
    path("policies/<int:pk>/eligible/export/", match_views.policy_eligible_export_view, name="eligible_export"),
]
