"""The inbox page: a user's own notifications only; mark one or all read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.notifications.models import Notification
from zhaoyin.notifications.services import NewNotification, notify_many

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def notify(user: User, title: str, link: str = "/matters/7/") -> Notification:
    ids = notify_many(items=[NewNotification(recipient=user, kind="matter.urge", title=title, link=link)])
    return Notification.objects.get(pk=ids[0])


def test_the_inbox_shows_only_the_users_own_notifications(make_user: MakeUser) -> None:
    me, other = make_user("staff", "county_a"), make_user("staff", "county_b")
    notify(me, "给我的催办")
    notify(other, "别人的督办")
    html = client_for(me).get(reverse("notifications:inbox")).content.decode()
    assert "给我的催办" in html
    assert "别人的督办" not in html
    assert 'id="inbox-unread">1<' in html


def test_another_users_notification_is_404_and_unchanged(make_user: MakeUser) -> None:
    me, other = make_user("staff", "county_a"), make_user("staff", "county_b")
    theirs = notify(other, "别人的督办")
    response = client_for(me).post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_then_open_the_link(make_user: MakeUser) -> None:
    me = make_user("staff", "county_a")
    n = notify(me, "催办")
    client = client_for(me)
    response = client.post(reverse("notifications:read", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:inbox")
    n.refresh_from_db()
    first_read = n.read_at
    assert first_read is not None
    assert AuditRecord.objects.filter(action="notification.read", object_id=str(n.pk)).count() == 1
    opened = client.post(reverse("notifications:read", args=[n.pk]), {"open": "1"})
    assert opened["Location"] == "/matters/7/"
    n.refresh_from_db()
    assert n.read_at == first_read  # reading again changes nothing
    assert AuditRecord.objects.filter(action="notification.read", object_id=str(n.pk)).count() == 1


def test_an_external_link_is_never_followed(make_user: MakeUser) -> None:
    me = make_user("staff", "county_a")
    n = notify(me, "外链", link="https://evil.example/")
    response = client_for(me).post(reverse("notifications:read", args=[n.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_all_read_and_the_unread_filter(make_user: MakeUser) -> None:
    me, other = make_user("staff", "county_a"), make_user("staff", "county_b")
    for i in range(3):
        notify(me, f"第{i}条")
    theirs = notify(other, "别人的")
    client = client_for(me)
    assert "第0条" in client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "第0条" not in html
    assert AuditRecord.objects.filter(action="notification.read_all").count() == 1


def test_the_inbox_is_in_the_menu(make_user: MakeUser) -> None:
    me = make_user("staff", "county_a")
    html = client_for(me).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("notifications:inbox")}"' in html


def test_every_page_shows_the_unread_count_beside_the_inbox(make_user: MakeUser) -> None:
    me, other = make_user("staff", "county_a"), make_user("staff", "county_b")
    first = notify(me, "催办一")
    notify(me, "催办二")
    notify(other, "别人的督办")
    client = client_for(me)
    assert 'zy-nav-badge" title="2 条未读">2<' in client.get(reverse("matters:list")).content.decode()
    client.post(reverse("notifications:read", args=[first.pk]))
    assert 'zy-nav-badge" title="1 条未读">1<' in client.get(reverse("matters:list")).content.decode()
    client.post(reverse("notifications:read", args=[notify(me, "催办三").pk]))
    Notification.objects.filter(recipient=me).update(read_at="2026-11-26T10:00:00+08:00")
    assert "zy-nav-badge" not in client.get(reverse("matters:list")).content.decode()
