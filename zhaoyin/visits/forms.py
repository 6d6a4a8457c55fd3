"""Forms of the visit and service-group pages. They only shape input; the rules are the
input models' (``visits.inputs``, through ``core.forms.bind_input``) and the services', whose
field errors come back onto these forms.

The visit form's demands are repeated rows named ``demand-<n>-title`` / ``-kind`` /
``-description`` (rendered by the template, added and removed by static/js/visits.js; the
page offers one row without JavaScript). The upload field is ``evidence`` (Django forms
reserve ``files``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import ServiceGroupMembership, User
from zhaoyin.accounts.scope import member_group_ids
from zhaoyin.accounts.selectors import user_names
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.pickers import PICK_ENTERPRISE, PICK_USER, use_picker
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.forms import MultipleFileField
from zhaoyin.matters.origins import kind_allowed_for_source
from zhaoyin.visits import selectors
from zhaoyin.visits.inputs import DEMAND_FIELDS, MAX_CONTACT, MAX_NAMES, MAX_NOTES


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class VisitForm(forms.Form):
    """走访登记: the member's enterprises, the date (today by default), who took part, notes,
    photos and files."""

    enterprise = forms.ChoiceField(label=_("Enterprise"))
    date = forms.CharField(label=_("Date of visit"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.MultipleChoiceField(
        label=_("Participants"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_participants = forms.CharField(label=_("Other participants"), required=False, max_length=MAX_NAMES)
    enterprise_contact = forms.CharField(label=_("Enterprise contact"), required=False, max_length=MAX_CONTACT)
    notes = forms.CharField(
        label=_("Notes"), max_length=MAX_NOTES, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    #: Photos taken on the spot: the phone opens its back camera (``capture``); no location is
    #: asked for or recorded (the 2026 rules on government apps forbid tracking or check-in).
    photos = MultipleFileField(label=_("Photos"), required=False)
    evidence = MultipleFileField(label=_("Photos and files"), required=False)

    #: Fields drawn full width.
    WIDE = ("participants", "notes", "photos", "evidence")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        several = len(member_group_ids(user)) > 1
        choices: list[tuple[str, str]] = [("", str(_("— choose —")))]
        for e in selectors.enterprises_for_visits(user):
            # A member of several groups sees which group serves each enterprise.
            group = f"（{e.service_group.name}）" if several and e.service_group is not None else ""
            choices.append((str(e.pk), e.name + group))
        _choice_field(self, "enterprise").choices = choices
        members = (
            ServiceGroupMembership.objects.filter(group_id__in=member_group_ids(user), user__is_active=True)
            .exclude(user=user)
            .select_related("user", "group")
            .order_by("group__code", "-is_leader", "user__username")
        )
        seen: set[int] = set()
        people: list[tuple[str, str]] = []
        for m in members:
            if m.user_id in seen:
                continue
            seen.add(m.user_id)
            people.append((m.user.username, m.user.full_name or m.user.username))
        _choice_field(self, "participants").choices = people
        self.fields["date"].initial = clocks.today().isoformat()
        self.fields["photos"].widget.attrs.update({"accept": "image/*", "capture": "environment"})
        # The evidence widget's ``accept`` lists every accepted type (core.files.ACCEPT).

    def uploads(self) -> list[Any]:
        """The camera's photos and the chosen files, as the service takes them (one list)."""
        return [*(self.cleaned_data.get("photos") or []), *(self.cleaned_data.get("evidence") or [])]


@dataclass
class DemandRow:
    """One demand row of the visit form, with its errors by field."""

    index: int
    title: str = ""
    kind: str = MatterKind.COORDINATION.value
    description: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def filled(self) -> bool:
        return bool(self.title.strip() or self.description.strip())

    def as_input(self) -> dict[str, str]:
        return {"title": self.title, "kind": self.kind, "description": self.description}


#: The kinds a demand may take, for the row's select: never an urgent instruction (issue 15;
#: the matters' service judges it, zhaoyin.matters.origins).
KIND_CHOICES = [(value, label) for value, label in MatterKind.choices
                if kind_allowed_for_source(MatterSource.VISIT, MatterKind(value))]


def demand_rows(data: Mapping[str, Any] | None) -> list[DemandRow]:
    """The demand rows posted (``demand-<n>-<field>``), in order; one empty row when none."""
    rows: dict[int, DemandRow] = {}
    if data is not None:
        for key in data:
            parts = str(key).split("-")
            n = positive_int(parts[1]) if len(parts) == 3 and parts[0] == "demand" else None
            if n is None or n > 999 or parts[2] not in DEMAND_FIELDS:
                continue
            row = rows.setdefault(n, DemandRow(index=n, kind=""))
            setattr(row, parts[2], str(data.get(key) or ""))
    out = [rows[n] for n in sorted(rows)]
    return out or [DemandRow(index=0)]


def place_demand_errors(exc: InvalidInput, filled: list[DemandRow]) -> InvalidInput:
    """Put the service's ``demands[i].<field>`` errors on the filled rows they name; return
    the other errors (for the form)."""
    rest = []
    for err in exc.errors:
        name = err.get("field", "")
        if name.startswith("demands[") and "]" in name:
            index_text, _sep, tail = name[len("demands["):].partition("]")
            index = positive_int(index_text)
            if index is not None and index < len(filled):
                key = tail.lstrip(".") or "title"
                filled[index].errors.setdefault(key, []).append(err["message"])
                continue
        rest.append(err)
    return InvalidInput(exc.detail, rest)


def service_errors_for_form(exc: InvalidInput) -> InvalidInput:
    """The service's field names mapped onto the form's (``files`` → ``evidence``)."""
    renamed = [{**e, "field": "evidence" if e.get("field") == "files" else e.get("field", "")} for e in exc.errors]
    return InvalidInput(exc.detail, renamed)


class EntriesField(forms.Field):
    """The chips of a multiple picker as a list; what each may be is the service's verdict."""

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]


class MemberAddForm(forms.Form):
    """Add members to a group: each account must already hold the service_member role (a
    multiple picker over those accounts by name or username, as chips; a typed username is
    taken). All are added or none (``services.memberships_add``)."""

    user = EntriesField(label=_("Members"), required=False)
    is_leader = forms.BooleanField(label=_("Group leader"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_picker(
            self, "user", "accounts:pick_users", multiple=True, labels=user_names,
            params={"role": "service_member"}, placeholder=str(PICK_USER),
        )


class AssignForm(forms.Form):
    """Assign enterprises to a group: a multiple picker by name, 拼音首字母 or credit code, as
    chips (a typed credit code or id is taken as before). All or none
    (``services.enterprises_assign_group``)."""

    enterprise = EntriesField(label=_("Enterprises"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_picker(self, "enterprise", "enterprises:pick", multiple=True, placeholder=str(PICK_ENTERPRISE))
