"""Periodic jobs owned by the operations app."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from zhaoyin.core import periodic


def clear_expired_sessions() -> None:
    """Delete expired sessions, as ``manage.py clearsessions`` does."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


periodic.register("clearsessions", 3600, clear_expired_sessions)


def purge_stale_imports() -> None:
    """Delete uploaded workbooks of import batches never committed within a day (RES-02)."""
    from zhaoyin.core.importing import import_purge_stale

    import_purge_stale()


periodic.register("purge_stale_imports", 3600, purge_stale_imports)
