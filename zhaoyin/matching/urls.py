"""Matching pages, mounted at the site root (config/urls.py) because they sit under both the
enterprises' and the policies' paths: ``/enterprises/<id>/policies/`` and
``/policies/<id>/eligible/``. The namespace is still ``policy_matching`` (templates use it)."""

from django.urls import path

from zhaoyin.matching import views

app_name = "policy_matching"

urlpatterns = [
    path("my-policies/", views.my_policy_matches, name="mine"),
    path("enterprises/<int:pk>/policies/", views.enterprise_policy_matches, name="enterprise"),
    path("policies/<int:pk>/eligible/", views.policy_eligible, name="eligible"),
    path("policies/<int:pk>/eligible/export/", views.policy_eligible_export_view, name="eligible_export"),
    # Talent policies (issue 13): a talent's policies, the portal user's own, a policy's talents.
    path("talents/<int:pk>/policies/", views.talent_policy_matches, name="talent"),
    path("my-talent-policies/", views.my_talent_policy_matches, name="talent_mine"),
    path("policies/<int:pk>/eligible-talents/", views.policy_eligible_talents, name="eligible_talents"),
]
