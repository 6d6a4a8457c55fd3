"""Excel import and export of who belongs to which service group (DESIGN 3.6, issue 5), on the
generic framework of ``zhaoyin.core.importing`` (preview, all-or-nothing commit,
row/column/reason), beside the assignment import of ``zhaoyin.visits.importing``.

Columns: 用户名 and 服务组代码 (both required) and 组长 (是/否; a blank cell keeps the flag, and a
new member is not the leader). A row is an upsert: it adds the account to the group, or sets
its leader flag. The account must be active and
hold the service_member role, the group code must name a service group — the same rules as
the group page's "add member", applied by the same function (``services._service_member``).
The same account and group on two rows, or two leaders for one group, put every such row in
error. Any error commits nothing.

The writes go through the group services (``membership_add``, ``membership_set_leader``,
``membership_clear_leader``), so an imported change is audited exactly like the same change
made on the page: making someone leader demotes the group's previous leader.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from typing import IO, Any

from django.db import connection
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, ServiceGroupMembership, User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import (
    Column,
    ImportSpec,
    RowError,
    RowInvalid,
    RowResult,
    Verdict,
    mark_repeats,
    reason,
)
from zhaoyin.core.models import ImportBatch
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.visits import services
from zhaoyin.visits.inputs import MemberAddInput, MemberInput

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("username", "用户名", "username", required=True, identifier=True, width=18),
    Column("service_group", "服务组代码", "service_group", required=True, identifier=True, width=12),
    Column("is_leader", "组长", "is_leader", width=8),
)
TEXT_COLUMNS = frozenset({0, 1, 2})
CHUNK = 2000
YES = "是"
NO = "否"
#: Spellings of the 组长 cell; anything else is a row error on that column.
_TRUE = frozenset({YES, "y", "yes", "true", "1", "组长"})
_FALSE = frozenset({NO, "n", "no", "false", "0"})


#: A blank 组长 cell: keep the member's flag as it is (a new member is not the leader), so a
#: file listing members only never demotes a group's leader by accident.
KEEP = "keep"


def parse_leader(value: Any) -> bool | str | None:
    """The 组长 cell as a flag: 是/否 (also yes/no, true/false, 1/0, an Excel boolean); a
    blank cell is ``KEEP``; None for anything else."""
    if value is None:
        return KEEP
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if not text:
        return KEEP
    if text in _FALSE:
        return False
    if text in _TRUE:
        return True
    return None


class MemberImport(ImportSpec):
    """Upsert of ``ServiceGroupMembership`` keyed on username and group code (the city
    administration's)."""

    kind = "service_group_membership"
    columns = MEMBER_COLUMNS
    key_column = "username"

    def __init__(self, user: User) -> None:
        super().__init__(user)
        self.groups: dict[str, OrgUnit] = {}

    def prepare(self) -> None:
        self.groups = {g.code.casefold(): g for g in OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_GROUP)}

    def normalize_key(self, raw: Any) -> str:
        # The key is the pair (username, group), checked in ``classify``; the framework's
        # one-column check would wrongly refuse one account listed in two groups.
        return ""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        username = ""
        try:
            # The group page's verdict on a username (the cell may hold a number: its text).
            username = MemberInput.of(user=str(raw.get("username") or "")).user
        except InvalidInput as exc:
            errors.append(("username", exc.errors[0]["message"] if exc.errors else str(exc.detail)))
        code = str(raw.get("service_group") or "").strip()
        group = self.groups.get(code.casefold()) if code else None
        if not code:
            errors.append(("service_group", _("Enter the service group code.")))
        elif group is None or not group.is_active:
            errors.append(("service_group", _("Unknown service group code.")))
        leader = parse_leader(raw.get("is_leader"))
        if leader is None:
            errors.append(("is_leader", _("Enter 是 (the group's leader) or 否, or leave the cell blank.")))
        if errors:
            raise RowInvalid(errors)
        assert group is not None
        return {"username": username, "group": group, "is_leader": None if leader == KEEP else bool(leader)}

    def _accounts(self, names: list[str]) -> dict[str, User]:
        """The accounts named in the file by lower-cased username, their roles prefetched."""
        found: dict[str, User] = {}
        for start in range(0, len(names), CHUNK):
            qs = (
                User.objects.annotate(username_lower=Lower("username"))
                .filter(username_lower__in=names[start : start + CHUNK])
                .prefetch_related("role_assignments")
            )
            for account in qs:
                found[account.username.lower()] = account
        return found

    def classify(self, rows: list[RowResult]) -> None:
        user_label, leader_label = self.label("username"), self.label("is_leader")
        pairs: dict[tuple[str, int], list[RowResult]] = defaultdict(list)
        leaders: dict[int, list[RowResult]] = defaultdict(list)
        for row in rows:
            assert row.cleaned is not None
            group_pk = row.cleaned["group"].pk
            pairs[(row.cleaned["username"].lower(), group_pk)].append(row)
            if row.cleaned["is_leader"]:
                leaders[group_pk].append(row)
        mark_repeats(pairs.values(), user_label, lambda others: reason("DUPLICATE_KEY", rows=others))
        mark_repeats(
            leaders.values(),
            leader_label,
            lambda others: (
                "TWO_LEADERS: "
                + _("a group has one leader; row(s) %(rows)s name another leader of this group") % {"rows": others}
            ),
        )
        accounts = self._accounts(sorted({r.cleaned["username"].lower() for r in rows if r.cleaned}))
        members: dict[int, User] = {}
        for row in rows:
            if row.errors:
                continue
            assert row.cleaned is not None
            name = row.cleaned["username"]
            try:
                # The group page's rule and words: active, holds service_member, no 三员.
                account = services.service_member(accounts.get(name.lower()) or name)
            except InvalidInput as exc:
                message = exc.errors[0]["message"] if exc.errors else str(exc.detail)
                row.errors.append(RowError(row.row_number, user_label, message))
                continue
            row.cleaned["user"] = account
            members[account.pk] = account
        existing: dict[tuple[int, int], ServiceGroupMembership] = {}
        lock = connection.in_atomic_block and connection.features.has_select_for_update
        ids = sorted(members)
        for start in range(0, len(ids), CHUNK):
            qs = ServiceGroupMembership.objects.filter(user_id__in=ids[start : start + CHUNK])
            if lock:
                qs = qs.select_for_update()
            for membership in qs:
                existing[(membership.user_id, membership.group_id)] = membership
        for row in rows:
            if row.errors or row.cleaned is None or "user" not in row.cleaned:
                continue
            found = existing.get((row.cleaned["user"].pk, row.cleaned["group"].pk))
            if found is None:
                row.verdict = Verdict.CREATE
            else:
                wanted = row.cleaned["is_leader"]
                row.compare(found, {} if wanted is None else {"is_leader": wanted})

    @staticmethod
    def _member(cleaned: Mapping[str, Any]) -> MemberInput:
        """The row's account as the group services' input."""
        return MemberInput.of(user=cleaned["user"].username)

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Apply the rows through the group services (each change audited as on the page):
        leaders stepping down first, then new members, then new leaders — so the group
        ends with the file's leader, the previous one demoted as the page does."""
        clean = [r for r in rows if r.cleaned is not None]
        for row in clean:
            assert row.cleaned is not None
            if row.verdict == Verdict.UPDATE and not row.cleaned["is_leader"]:
                services.membership_clear_leader(
                    acting_user=self.user, group=row.cleaned["group"], data=self._member(row.cleaned)
                )
        for row in clean:
            assert row.cleaned is not None
            if row.verdict == Verdict.CREATE:
                services.membership_add(
                    acting_user=self.user,
                    group=row.cleaned["group"],
                    data=MemberAddInput.of(
                        user=row.cleaned["user"].username, is_leader=bool(row.cleaned["is_leader"])
                    ),
                )
        for row in clean:
            assert row.cleaned is not None
            if row.verdict == Verdict.UPDATE and row.cleaned["is_leader"]:
                services.membership_set_leader(
                    acting_user=self.user, group=row.cleaned["group"], data=self._member(row.cleaned)
                )


def _groups_sheet() -> SheetSpec:
    groups = list(OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_GROUP, is_active=True).order_by("code"))
    return SheetSpec(
        title=_("Codes"),
        headers=[_("Code"), _("Name")],
        rows=[[g.code, g.name] for g in groups],
        text_columns=frozenset({0}),
        widths=(12, 20),
    )


def member_template() -> bytes:
    """The import template: the headers, one example row, the group codes on a second sheet."""
    example = (
        ServiceGroupMembership.objects.filter(group__kind=OrgUnitKind.SERVICE_GROUP)
        .select_related("user", "group")
        .order_by("group__code", "-is_leader", "user__username")
        .first()
    )
    rows = [[example.user.username, example.group.code, YES if example.is_leader else NO]] if example else []
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Members"),
                headers=[c.label for c in MEMBER_COLUMNS],
                rows=rows,
                text_columns=TEXT_COLUMNS,
                widths=[c.width for c in MEMBER_COLUMNS],
                blank_text_rows=200,
            ),
            _groups_sheet(),
        ],
    )
    return out.getvalue()


def member_export(*, acting_user: User, out: IO[bytes]) -> int:
    """Every membership of a service group: the import's three columns on the first sheet (so
    the file imports back unchanged), the names beside them on the second. Audited."""
    qs = (
        ServiceGroupMembership.objects.filter(group__kind=OrgUnitKind.SERVICE_GROUP)
        .order_by("group__code", "-is_leader", "user__username")
        .values_list("user__username", "group__code", "is_leader", "user__full_name", "group__name")
    )
    rows = [[r[0], r[1], YES if r[2] else NO, r[3], r[4]] for r in qs.iterator(chunk_size=CHUNK)]
    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Members"),
                headers=[c.label for c in MEMBER_COLUMNS],
                rows=(r[:3] for r in rows),
                text_columns=TEXT_COLUMNS,
                widths=[c.width for c in MEMBER_COLUMNS],
            ),
            SheetSpec(
                title=_("Names"),
                headers=["用户名", "服务组代码", "组长", "姓名", "服务组名称"],
                rows=iter(rows),
                text_columns=TEXT_COLUMNS,
                widths=(18, 12, 8, 14, 14),
            ),
        ],
    )
    audit_write(action="service_group.members_export", user=acting_user, object_repr="members", after={"rows": count})
    return count
