"""The one validator of a visit's input (VAL-01): the API, the form and the demo all go
through ``clean_visit``. Every bad field is collected and raised together as ``InvalidInput``
naming it (``enterprise``, ``date``, ``participants``, ``demands[0].kind`` …) before anything
is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import ServiceGroupMembership, User
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Errors, InvalidInput
from zhaoyin.core.listparams import positive_int
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterKind
from zhaoyin.matters.inputs import MAX_TEXT, MAX_TITLE
from zhaoyin.visits import selectors

MAX_NOTES = 5000
MAX_NAMES = 200
MAX_CONTACT = 100
#: Most demands one visit may raise.
MAX_DEMANDS = 20
#: Most participants named on one visit.
MAX_PARTICIPANTS = 20
#: The fields of one demand.
DEMAND_FIELDS = ("title", "kind", "description")
#: Visits older than this are typing mistakes, not records.
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class CleanDemand:
    title: str
    kind: str
    description: str


@dataclass(frozen=True)
class CleanVisit:
    enterprise: Enterprise
    date: dt.date
    notes: str
    participants: list[User]
    other_participants: str
    enterprise_contact: str
    demands: list[CleanDemand]
    files: list[files_core.CheckedFile]


def _text(value: Any, field: str, limit: int, errors: Errors, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    text = value.strip()
    if "\x00" in text:
        errors.add(field, _("The text contains a character that is not allowed."))
        return ""
    if required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def clean_enterprise(user: User, value: Any, errors: Errors) -> Enterprise | None:
    """An enterprise assigned to one of the user's groups; anything else (missing, out of
    scope, another group's) gets one and the same message."""
    message = _("Choose an enterprise served by your service group.")
    pk = value.pk if isinstance(value, Enterprise) else value
    number = None if isinstance(pk, bool) or pk is None else positive_int(str(pk).strip())
    if number is None:
        errors.add("enterprise", message)
        return None
    found = selectors.enterprises_for_visits(user).filter(pk=number).first()
    if found is None:
        errors.add("enterprise", message)
    return found


def clean_date(value: Any, errors: Errors) -> dt.date | None:
    """A date of visit: YYYY-MM-DD, not in the future (Asia/Shanghai), not before 2000."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and value.strip():
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.add("date", _("Enter a date as YYYY-MM-DD."))
            return None
    else:
        errors.add("date", _("Enter the date of the visit."))
        return None
    if day > clocks.today():
        errors.add("date", _("The date of the visit must not be in the future."))
        return None
    if day < EARLIEST:
        errors.add("date", _("Enter a date from 2000 on."))
        return None
    return day


def clean_participants(value: Any, enterprise: Enterprise | None, acting_user: User, errors: Errors) -> list[User]:
    """Usernames of members of the enterprise's group; the recorder always takes part."""
    if value is None or value == "":
        names: list[str] = []
    elif isinstance(value, str):
        names = [n for n in value.replace(",", " ").replace("，", " ").split() if n]
    elif isinstance(value, Sequence) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value if n.strip()]
    else:
        errors.add("participants", _("Give the participants as a list of usernames."))
        return [acting_user]
    if len(names) > MAX_PARTICIPANTS:
        errors.add("participants", _("At most %(n)d participants.") % {"n": MAX_PARTICIPANTS})
        return [acting_user]
    if enterprise is None or not names:
        return [acting_user]
    members = {
        m.user.username.lower(): m.user
        for m in ServiceGroupMembership.objects.filter(group_id=enterprise.service_group_id, user__is_active=True)
        .select_related("user")
    }
    unknown = [n for n in names if n.lower() not in members]
    if unknown:
        errors.add(
            "participants",
            _("Not members of the enterprise's service group: %(names)s.") % {"names": ", ".join(unknown)},
        )
        return [acting_user]
    chosen = {acting_user.pk: acting_user}
    for n in names:
        chosen.setdefault(members[n.lower()].pk, members[n.lower()])
    return list(chosen.values())


def clean_demands(value: Any, errors: Errors) -> list[CleanDemand]:
    """Each demand: a title (required), a kind of matter, a description."""
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str):
        errors.add("demands", _("Give the demands as a list."))
        return []
    if len(value) > MAX_DEMANDS:
        errors.add("demands", _("At most %(n)d demands per visit.") % {"n": MAX_DEMANDS})
        return []
    out = []
    for index, item in enumerate(value):
        prefix = f"demands[{index}]"
        if not isinstance(item, Mapping):
            errors.add(prefix, _("Each demand needs a title, a kind and a description."))
            continue
        for key in sorted(set(item) - set(DEMAND_FIELDS)):
            errors.add(f"{prefix}.{key}", _("Unknown field."))
        title = _text(item.get("title"), f"{prefix}.title", MAX_TITLE, errors, required=True)
        description = _text(item.get("description"), f"{prefix}.description", MAX_TEXT, errors)
        kind = item.get("kind")
        if not isinstance(kind, str) or kind.strip() not in MatterKind.values:
            errors.add(f"{prefix}.kind", _("Unknown kind of matter."))
            kind = ""
        out.append(CleanDemand(title=title, kind=kind.strip(), description=description))
    return out


def clean_visit(
    *,
    acting_user: User,
    enterprise: Any,
    date: Any,
    notes: Any,
    participants: Any = None,
    other_participants: Any = "",
    enterprise_contact: Any = "",
    demands: Any = None,
    files: files_core.ReadUploads | None = None,
) -> CleanVisit:
    """Check a visit's whole input; raise ``InvalidInput`` naming every bad field. The files
    were read and checked before (``files_core.read_uploads``); their refusal is one of them."""
    errors = Errors()
    ent = clean_enterprise(acting_user, enterprise, errors)
    day = clean_date(date, errors)
    clean_notes = _text(notes, "notes", MAX_NOTES, errors, required=True)
    people = clean_participants(participants, ent, acting_user, errors)
    others = _text(other_participants, "other_participants", MAX_NAMES, errors)
    contact = _text(enterprise_contact, "enterprise_contact", MAX_CONTACT, errors)
    clean_demand_list = clean_demands(demands, errors)
    checked: list[files_core.CheckedFile] = []
    try:
        checked = files.checked() if files is not None else []
    except InvalidInput as exc:
        errors.capture(exc)
    errors.raise_if_any()
    assert ent is not None
    assert day is not None
    return CleanVisit(
        enterprise=ent,
        date=day,
        notes=clean_notes,
        participants=people,
        other_participants=others,
        enterprise_contact=contact,
        demands=clean_demand_list,
        files=checked,
    )
