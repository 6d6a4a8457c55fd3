"""URLs of the 亩均 pages: inputs (included by mujun.urls into the mujun namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
