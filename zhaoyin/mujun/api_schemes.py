"""The 亩均 API: schemes (mounted by config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["mujun"])
