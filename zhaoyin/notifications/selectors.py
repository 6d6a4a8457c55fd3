"""Scoped reads of notifications: a user reads only their own (another's is 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.notifications.models import Notification


def inbox_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    return inbox_for(user, unread_only=True).count()


def notification_get_for_user(*, user: User, pk: int) -> Notification:
    """One of the user's own notifications, else 404."""
    found = inbox_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
