"""URLs of the 亩均 pages: reports (included by mujun.urls into the mujun namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
