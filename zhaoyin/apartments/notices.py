"""Who the apartment machines tell, and what (``notifications.handoff``).

``talent``: the talent's portal account (the allocation, the contract, a rejection …), with a
link to the portal page; ``talent_office``: the talent office's accounts (a new application),
with a link to the staff page. Only people who may see the record are told (the handoff
mechanism asks ``may_see``). A bulk allocation tells its talents in one write
(``tell_allocated``) once its chunk commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.apartments.models import APPLICATION_TYPE, TENANCY_TYPE, Application, Tenancy
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import Transition
from zhaoyin.notifications.handoff import Notice
from zhaoyin.notifications.services import NewNotification, notify_many

TALENT = Role.TALENT.value
OFFICE = Role.TALENT_OFFICE.value


def _office() -> Iterable[User]:
    return User.objects.filter(role_assignments__role=OFFICE, is_active=True, admin_role="").distinct()


def _account(talent_account_id: int | None) -> Iterable[User]:
    if talent_account_id is None:
        return []
    return User.objects.filter(pk=talent_account_id, is_active=True)


class ApplicationResolver:
    """The application machine's actors as people."""

    actors = frozenset({TALENT, OFFICE})

    def load(self, pk: int) -> Application | None:
        return Application.objects.select_related("talent", "unit__building").filter(pk=pk).first()

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        if actor == TALENT:
            return _account(obj.talent.account_id)
        return _office() if actor == OFFICE else []

    def may_see(self, user: User, obj: Any) -> bool:
        from zhaoyin.apartments.selectors import application_list_visible_to

        return application_list_visible_to(user).filter(pk=obj.pk).exists()

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        to_talent = row.notify == frozenset({TALENT})
        link = reverse("apartments:portal") if to_talent else reverse("apartments:application_detail",
                                                                       args=[obj.pk])
        if row.action == "allocate" and obj.unit is not None:
            title = _("An apartment has been allocated to you: %(unit)s") % {
                "unit": f"{obj.unit.building.name} {obj.unit.number}"}
        elif row.action == "submit":
            title = _("New apartment application: %(name)s") % {"name": obj.talent.name}
        else:
            title = _("Your apartment application: %(state)s") % {"state": obj.get_state_display()}
        body = obj.decision_reason if row.action in ("reject", "release") else ""
        return Notice(title=title, body=body, link=link, object_type=APPLICATION_TYPE, object_id=str(obj.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        return None


class TenancyResolver:
    """The tenancy machine's actors as people."""

    actors = frozenset({TALENT})

    def load(self, pk: int) -> Tenancy | None:
        return Tenancy.objects.select_related("talent", "unit__building").filter(pk=pk).first()

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        return _account(obj.talent.account_id) if actor == TALENT else []

    def may_see(self, user: User, obj: Any) -> bool:
        from zhaoyin.apartments.selectors import tenancy_list_visible_to

        return tenancy_list_visible_to(user).filter(pk=obj.pk).exists()

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        if row.action == "renew":
            title = _("Your apartment contract is renewed until %(end)s") % {"end": obj.end.isoformat()}
        else:
            title = _("Your apartment contract has ended")
        return Notice(title=title, body="", link=reverse("apartments:portal"), object_type=TENANCY_TYPE,
                      object_id=str(obj.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        return None


def tell_allocated(application_ids: Sequence[int], acting_user_id: int | None) -> list[int]:
    """Tell each talent with a portal account of a bulk allocation (one write for all)."""
    rows = (
        Application.objects.filter(pk__in=application_ids, talent__account__isnull=False,
                                   talent__account__is_active=True)
        .select_related("talent__account", "unit__building")
    )
    with translation.override(settings.LANGUAGE_CODE):
        items = [
            NewNotification(
                recipient=a.talent.account,
                kind="apartment_application.allocate",
                title=_("An apartment has been allocated to you: %(unit)s")
                % {"unit": f"{a.unit.building.name} {a.unit.number}" if a.unit else ""},
                link=reverse("apartments:portal"),
                object_type=APPLICATION_TYPE,
                object_id=str(a.pk),
            )
            for a in rows
            if a.talent.account is not None and a.talent.account_id != acting_user_id
        ]
    if not items:
        return []
    with transaction.atomic():
        return notify_many(items=items)
