"""Matrix rows for the inbox (tests/authz_matrix.py). Every signed-in account has an inbox
holding only what was sent to it (COMMON); another account's notification is 404."""

from __future__ import annotations

from tests.authz_matrix import COMMON, MATRIX, web
from tests.world import World, world_builder
from zhaoyin.core.roles import ALL_ROLES, Role
from zhaoyin.notifications.models import Notification


@world_builder
def notifications(w: World) -> None:
    w.extra["notification_staff"] = Notification.objects.create(
        recipient=w.user(Role.STAFF), kind="matter.urge", title="矩阵催办", link="/"
    )


MATRIX += [
    web("notifications:inbox", allowed=ALL_ROLES, kind=COMMON),
    web("notifications:read_all", "POST", allowed=ALL_ROLES, ok=302, kind=COMMON),
    web(
        "notifications:read", "POST", allowed=ALL_ROLES, ok=404, scope={Role.STAFF: 302}, kind=COMMON,
        kwargs=lambda w: {"pk": w.extra["notification_staff"].pk}, label="the staff member's own",
    ),
]
