"""Forms of the matter pages. They only draw and collect input: every verdict comes from the
use case's input model (``zhaoyin.matters.inputs``, built by ``core.forms.bind_input``), the
services or the list filter parser (``filters``), so a value gets the same message on the
page as in the API (VAL-01).

Fields are plain text fields without Django's own checks (no ``required``, ``max_length`` or
choice validation): those would word their messages differently. Field names are the input
models' field names, so an error lands on its field; the one exception is the upload field,
``evidence`` (Django forms reserve ``files``; uploads reach the services beside the input).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.scope import sees_whole_city
from zhaoyin.accounts.selectors import grouped_unit_choices
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.pickers import PICK_ENTERPRISE, PICK_PROJECT, PICK_TALENT, use_picker
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.matters import origins
from zhaoyin.matters.choices import DemandCategory, MatterKind, MatterSource, Rating
from zhaoyin.matters.flow import Action
from zhaoyin.matters.models import Matter

Choices = list[tuple[str, str]]
_UNIT_ROLE_CODES = frozenset(r.value for r in UNIT_ROLES)
#: How the services name the upload field, and how the forms do.
FIELD_NAMES = {"files": "evidence"}


def text(label: Any, max_length: int = 200, **attrs: Any) -> forms.CharField:
    widget = forms.TextInput(attrs={"maxlength": max_length, **attrs})
    return forms.CharField(label=label, required=False, widget=widget)


def area(label: Any, rows: int = 2, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length})
    )


def select(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select())


def date_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def number(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4})
    )


def _set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    widget = form.fields[name].widget
    widget.choices = choices


def unit_choices(units: Iterable[OrgUnit], blank: str | None) -> list[Any]:
    """Units as options by code (what the services take), one group per kind in the official
    order: 县区 / 园区 / 市直部门 / 服务组 / 人才工作站 (``accounts.selectors.grouped_unit_choices``)."""
    return grouped_unit_choices(units, blank)


def use_unit_chips(form: forms.Form, name: str) -> None:
    """Draw the co-units field as chips over the unit picker (within the user's part of the
    tree, grouped by kind); the chips are named by the units' names."""
    use_picker(form, name, "accounts:pick_units", multiple=True, labels=_unit_names, params={"within": "mine"})


def _unit_names(codes: list[str]) -> dict[str, str]:
    return dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))


def use_record_pickers(form: forms.Form, user: User) -> None:
    """The enterprise, project and talent of a matter as pickers over the scoped suggestions
    (each where the user may read that kind of record; else the typed record number stays)."""
    from zhaoyin.enterprises import selectors as enterprises
    from zhaoyin.projects import selectors as projects
    from zhaoyin.talents import selectors as talents

    kinds = (
        ("enterprise", "enterprises:pick", enterprises.READER_ROLES, enterprises.enterprise_names),
        ("project", "projects:pick", projects.READER_ROLES, projects.project_names),
        ("talent", "talents:pick", talents.READER_ROLES, talents.talent_names),
    )
    for name, source, roles, names in kinds:
        if name in form.fields and user.has_role(*roles):
            placeholder = str(form.fields[name].widget.attrs.get("placeholder", ""))
            use_picker(form, name, source, labels=functools.partial(names, user), placeholder=placeholder)


def assignable_units(user: User) -> list[OrgUnit]:
    """Units the user may give matters to (the services' rule): every active unit for the
    city's dispatchers, the user's subtree for a unit's staff, none for others. Org units are
    the tree itself, not scoped business data, hence read here."""
    qs = OrgUnit.objects.filter(is_active=True).order_by("path")
    if sees_whole_city(user):
        return list(qs)
    if user.has_role(*_UNIT_ROLE_CODES) and user.org_unit is not None:
        return list(qs.filter(path__startswith=user.org_unit.path))
    return []


def all_units() -> list[OrgUnit]:
    """Every active unit: a returning unit may name any unit as the responsible one."""
    return list(OrgUnit.objects.filter(is_active=True).order_by("path"))


class UnitsField(forms.MultipleChoiceField):
    """Several unit codes; which codes are acceptable is the service's verdict, not Django's."""

    def valid_value(self, value: Any) -> bool:
        return True


def units_field(label: Any, size: int) -> UnitsField:
    return UnitsField(label=label, required=False, widget=forms.SelectMultiple(attrs={"size": size}))


class MultipleFileInput(files_core.AttachmentsInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several attachments in one input; the service checks count, type and size."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _choice_list(choices: Iterable[tuple[str, Any]]) -> Choices:
    return [(value, str(label)) for value, label in choices]


def leader_choices() -> Choices:
    """The active leaders by username (the 批示's leader; the tree of people, not business data)."""
    leaders = User.objects.filter(is_active=True, admin_role="", role_assignments__role=Role.LEADER.value).distinct()
    return [(u.get_username(), u.full_name or u.get_username()) for u in leaders.order_by("username")]


def origin_choices(user: User) -> tuple[Choices, Choices]:
    """The sources and kinds the registration form offers ``user`` (zhaoyin.matters.origins; the
    service judges again): a portal user their own demand's, staff every source but a leader's
    instruction unless they are the supervision office or a leader."""
    sources, kinds = list(MatterSource), list(MatterKind)
    portal = origins.portal_roles(user.role_codes)
    if portal and not user.has_role(Role.CITY_ADMIN, Role.SUPERVISOR, *_UNIT_ROLE_CODES):
        allowed_sources, allowed_kinds = origins.sources_for_portal(portal), origins.kinds_for_portal(portal)
        sources = [s for s in sources if s in allowed_sources]
        kinds = [k for k in kinds if k in allowed_kinds]
    elif not user.has_role(*origins.INSTRUCTION_SOURCE_ROLES):
        sources = [s for s in sources if s != MatterSource.LEADER_INSTRUCTION]
    return _choice_list((s.value, s.label) for s in sources), _choice_list((k.value, k.label) for k in kinds)


class MatterForm(forms.Form):
    """Register a matter (登记, draft). ``services.matter_create`` validates."""

    title = text(_("Title"), 200)
    source = select(_("Source"))
    kind = select(_("Kind"))
    lead_unit = select(_("Lead unit"))
    co_units = units_field(_("Co-units"), 5)
    enterprise = text(_("Enterprise"), 100, autocomplete="off", placeholder=PICK_ENTERPRISE)
    project = text(_("Project"), 100, autocomplete="off", placeholder=PICK_PROJECT)
    talent = text(_("Talent"), 100, autocomplete="off", placeholder=PICK_TALENT)
    demand_category = select(_("Demand category"))
    requester_name = text(_("Requester"), 100)
    instructing_leader = select(_("Instructing leader (for a leader's instruction)"))
    description = area(_("Description"), rows=5)
    evidence = MultipleFileField(label=_("Attachments"), required=False)

    REQUIRED = ("title", "source", "kind")
    #: Fields shown across a whole row.
    WIDE = ("title", "description")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = assignable_units(user)
        sources, kinds = origin_choices(user)
        _set_choices(self, "source", [("", "—"), *sources])
        _set_choices(self, "kind", [("", "—"), *kinds])
        _set_choices(self, "demand_category", [("", "—"), *_choice_list(DemandCategory.choices)])
        if user.has_role(Role.SUPERVISOR):
            # The supervision office registers a leader's instruction naming the leader.
            _set_choices(self, "instructing_leader", [("", "—"), *leader_choices()])
        else:
            del self.fields["instructing_leader"]
        use_record_pickers(self, user)
        if units:
            _set_choices(self, "lead_unit", unit_choices(units, "—"))
            use_unit_chips(self, "co_units")
        else:
            # Portal users and service members raise a demand; the dispatcher assigns it.
            del self.fields["lead_unit"]
            del self.fields["co_units"]


# --------------------------------------------------------------------------- the action forms


class ActionForm(forms.Form):
    """The base of every action form: the matter's version it was loaded at (compare-and-set)."""

    version = forms.CharField(required=False, widget=forms.HiddenInput())
    #: Fields shown across a whole row of the small form.
    WIDE: tuple[str, ...] = ("note", "reason", "summary", "comment", "co_units", "evidence")
    #: Fields marked as required (the service decides; this only draws the asterisk).
    REQUIRED: tuple[str, ...] = ()

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", str(matter.version))
        super().__init__(*args, **kwargs)
        self.user = user
        self.matter = matter

    def uploads(self) -> dict[str, Any]:
        """The attachments as the action's service takes them (beside its input), if any."""
        return {"files": self.cleaned_data.get("evidence") or None} if "evidence" in self.fields else {}

    @property
    def submitted_version(self) -> int | None:
        value = str(self.cleaned_data.get("version") or "")
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class _ClockFields(ActionForm):
    """A new handling clock: working days, or a date."""

    handle_days = number(_("Handling working days"))
    handle_deadline = date_field(_("Handling deadline"))


class AssignForm(_ClockFields):
    """交办 / 改派: the lead unit, co-units, the date of receipt and the handling clock."""

    lead_unit = select(_("Lead unit"))
    co_units = units_field(_("Co-units"), 4)
    received_on = date_field(_("Received on"))
    note = area(_("Note"))
    field_order = ["lead_unit", "received_on", "handle_days", "handle_deadline", "co_units", "note"]
    REQUIRED = ("lead_unit",)

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("lead_unit", matter.lead_unit.code if matter.lead_unit is not None else "")
        # What registration entered stays chosen (issue 16: 交办 dropped the 协办单位 before,
        # because an unselected list posts none and none means "no co-units").
        initial.setdefault("co_units", [u.code for u in matter.co_units.all()] if matter.pk else [])
        super().__init__(*args, user=user, matter=matter, **kwargs)
        units = assignable_units(user)
        _set_choices(self, "lead_unit", unit_choices(units, "—"))
        use_unit_chips(self, "co_units")


class NoteForm(ActionForm):
    """Actions that take an optional note: sign for, approve, list, unlist."""

    note = area(_("Note"))


class ReturnForm(ActionForm):
    """退回: why, and the unit believed responsible."""

    reason = area(_("Reason"))
    suggested_unit = select(_("Unit believed responsible"))
    note = area(_("Note"))
    field_order = ["suggested_unit", "reason", "note"]
    REQUIRED = ("reason", "suggested_unit")

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, user=user, matter=matter, **kwargs)
        units = [u for u in all_units() if u.pk != matter.lead_unit_id]
        _set_choices(self, "suggested_unit", unit_choices(units, "—"))


class ProgressForm(ActionForm):
    """进展反馈: a note and optional files."""

    note = area(_("Progress"), rows=3)
    evidence = MultipleFileField(label=_("Attachments"), required=False)
    REQUIRED = ("note",)


class ExtensionForm(ActionForm):
    """延期申请: more working days or a later date, with a reason."""

    days = number(_("More working days"))
    requested_deadline = date_field(_("Or the requested deadline"))
    reason = area(_("Reason"))
    REQUIRED = ("reason",)


class AnswerExtensionForm(ActionForm):
    """延期审批: approve or refuse the pending request."""

    approve = forms.CharField(label=_("Decision"), required=False, widget=forms.RadioSelect())
    note = area(_("Note"))
    REQUIRED = ("approve",)

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, user=user, matter=matter, **kwargs)
        _set_choices(self, "approve", [("yes", str(_("Approve"))), ("no", str(_("Refuse")))])


class ReportForm(ActionForm):
    """办结反馈: the result and optional evidence."""

    summary = area(_("Result"), rows=3)
    evidence = MultipleFileField(label=_("Attachments"), required=False)
    REQUIRED = ("summary",)


class RejectForm(_ClockFields):
    """退办 / 重办: a reason and the new handling clock (default: as many days as before)."""

    reason = area(_("Reason"))
    field_order = ["reason", "handle_days", "handle_deadline"]
    REQUIRED = ("reason",)


class RateForm(ActionForm):
    """回访评价: the verdict and a comment (the reason, required for 不满意)."""

    rating = forms.CharField(label=_("Rating"), required=False, widget=forms.RadioSelect())
    comment = area(_("Comment"))
    REQUIRED = ("rating",)

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, user=user, matter=matter, **kwargs)
        _set_choices(self, "rating", _choice_list(Rating.choices))


class CancelForm(ActionForm):
    """撤销: a reason."""

    reason = area(_("Reason"))
    REQUIRED = ("reason",)


class InstructForm(ActionForm):
    """批示: the instruction, the day, and (for the supervision office) the leader."""

    text = area(_("Instruction content"), rows=3)
    leader = select(_("Leader"))
    instructed_on = date_field(_("Instructed on"))
    WIDE = (*ActionForm.WIDE, "text")
    REQUIRED = ("text",)

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, user=user, matter=matter, **kwargs)
        if user.has_role(Role.LEADER):
            del self.fields["leader"]  # a leader writes their own
        else:
            _set_choices(self, "leader", [("", "—"), *leader_choices()])


#: The form of each action.
ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ASSIGN: AssignForm,
    Action.REASSIGN: AssignForm,
    Action.ACCEPT: NoteForm,
    Action.RETURN: ReturnForm,
    Action.PROGRESS: ProgressForm,
    Action.REQUEST_EXTENSION: ExtensionForm,
    Action.ANSWER_EXTENSION: AnswerExtensionForm,
    Action.REPORT: ReportForm,
    Action.APPROVE: NoteForm,
    Action.REJECT: RejectForm,
    Action.RATE: RateForm,
    Action.REOPEN: RejectForm,
    Action.CANCEL: CancelForm,
    Action.LIST: NoteForm,
    Action.UNLIST: NoteForm,
    Action.INSTRUCT: InstructForm,
    Action.CONFIRM_DISPUTE: RejectForm,
    Action.DISMISS_DISPUTE: CancelForm,
}


# --------------------------------------------------------------------------- 督查室 powers (issue 15 item 4)


class ListForm(ActionForm):
    """挂牌督办: the supervising leader (the acting leader by default), the 限期, a note."""

    leader = select(_("Supervising leader"))
    deadline = date_field(_("Deadline (限期)"))
    note = area(_("Requirement"))
    REQUIRED = ("leader", "deadline")

    def __init__(self, *args: Any, user: User, matter: Matter, **kwargs: Any) -> None:
        from zhaoyin.core.roles import Role

        initial = kwargs.setdefault("initial", {})
        if user.has_role(Role.LEADER):
            initial.setdefault("leader", user.get_username())
        super().__init__(*args, user=user, matter=matter, **kwargs)
        _set_choices(self, "leader", [("", "—"), *leader_choices()])


class UrgeForm(ActionForm):
    """催办: what the lead unit is urged to do."""

    note = area(_("Note"))
    REQUIRED = ("note",)


class SuperviseForm(ActionForm):
    """督办: the problem and the requirement, and the 限期 (default: the running deadline)."""

    note = area(_("Problem and requirement"), rows=3)
    deadline = date_field(_("Deadline (限期)"))
    REQUIRED = ("note",)


ACTION_FORMS[Action.LIST] = ListForm
ACTION_FORMS[Action.URGE] = UrgeForm
ACTION_FORMS[Action.SUPERVISE] = SuperviseForm


def action_form(action: Action, user: User, matter: Matter, data: Any = None, files: Any = None) -> ActionForm:
    """The action's form, blank or bound; ids carry the action so several forms share a page."""
    form_class = ACTION_FORMS[action]
    return form_class(data, files, user=user, matter=matter, auto_id=f"id_{action.value}_%s")


def service_errors_for_form(exc: InvalidInput) -> InvalidInput:
    """The service's errors with its field names mapped onto the forms' (``files`` → ``evidence``)."""
    errors = [{**e, "field": FIELD_NAMES.get(e.get("field", ""), e.get("field", ""))} for e in exc.errors]
    return InvalidInput(exc.detail, errors)


class TalentDemandForm(forms.Form):
    """提出人才诉求 in the talent portal: the category, what is needed, attachments.
    ``inputs.TalentDemandInput`` judges the values, the service the rest."""

    demand_category = select(_("What is it about"))
    title = text(_("Short title (optional)"), 200)
    description = area(_("What do you need"), rows=6)
    evidence = MultipleFileField(label=_("Attachments"), required=False)

    REQUIRED = ("demand_category", "description")
    WIDE = ("demand_category", "title", "description", "evidence")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "demand_category", [("", "—"), *_choice_list(DemandCategory.choices)])
