"""Talent use cases: register, change, reveal the personal data, depart, link the portal
account; a station's leads. The only writers of talent data.

Personal data: the ID number and phone are stored through ``crypto`` (SM4-GCM, blind index,
masked text); no audit snapshot carries them (the binary columns are never snapshotted, the
masked ones are withheld by ``audit.redaction`` like every business value), and revealing
them is a service of its own that writes an audit record saying who saw what, not the values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.services import audit_denied, audit_write, diff, snapshot
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.talents import selectors
from zhaoyin.talents.crypto import decrypt_id, decrypt_phone, id_blind_index, id_fields, phone_fields
from zhaoyin.talents.inputs import (
    DepartInput,
    LeadArrivedInput,
    LeadInput,
    LeadUpdateInput,
    LinkAccountInput,
    TalentInput,
    TalentUpdateInput,
)
from zhaoyin.talents.models import IdType, LeadStatus, Talent, TalentLead, TalentStatus
from zhaoyin.talents.signals import send_talents_changed
from zhaoyin.talents.validation import TalentLookups, id_facts, resolve_references

#: Plain fields copied from the input as they are (blank text stays "").
_PLAIN = (
    "name", "school", "major", "employer_name", "email", "arrival_date", "contract_start", "contract_end",
)
#: Choices with a model default: left out or blank keeps the stored value.
_CHOICES = ("education", "title", "channel")
#: Columns never put in an audit snapshot (the binary ones are skipped by ``snapshot`` itself).
_NOT_AUDITED = frozenset({"id_index", "search_text", "created_at", "updated_at"})
_AUDITED = [f.name for f in Talent._meta.concrete_fields if f.name not in _NOT_AUDITED]


def talent_audit_snapshot(talent: Talent) -> dict[str, Any]:
    """A talent as the audit log sees it: no ciphertext, no index, no plain ID or phone."""
    return snapshot(talent, fields=_AUDITED)


def _attname(model: type[Talent] | type[TalentLead], name: str) -> str:
    """The column attribute of a field (``employer`` → ``employer_id``), for ``update()``."""
    field = model._meta.get_field(name)
    return str(getattr(field, "attname", name))


def _stored_id(talent: Talent | None) -> str:
    return decrypt_id(talent.id_number_enc) if talent is not None and talent.id_number_enc else ""


def judge_talent(
    *,
    talent: Talent | None,
    values: dict[str, Any],
    lookups: TalentLookups,
    errors: Errors,
    check_duplicate: bool = True,
) -> dict[str, Any]:
    """The model values a registration (``talent`` None) or a change sets, every check across
    fields made against the stored record; each refusal goes to ``errors`` naming its field.
    ``check_duplicate``: look for the ID among the stored talents (an import does that itself,
    matching rows to records by it)."""
    out: dict[str, Any] = {}
    for name in ("name", "id_number", "org_unit"):
        if name in values and not values[name]:
            errors.add(name, _("This field is required."))
    for name in _PLAIN:
        if name in values:
            out[name] = values[name] if values[name] is not None or name.endswith(("_date", "_start", "_end")) else ""
    for name in _CHOICES:
        if values.get(name):
            out[name] = values[name]
    if values.get("social_insurance_months") is not None:
        out["social_insurance_months"] = values["social_insurance_months"]
    if "phone" in values:
        stored_phone = decrypt_phone(talent.phone_enc) if talent is not None and talent.phone_enc else ""
        # A fresh ciphertext differs every time: only a different number is a change.
        if talent is None or (values["phone"] or "") != stored_phone:
            out.update(phone_fields(values["phone"] or ""))
    out.update(resolve_references({k: v for k, v in values.items() if k != "org_unit" or v}, lookups, errors))
    if "org_unit" in out and out["org_unit"] is None:
        del out["org_unit"]

    # The ID document, and what it says about its holder.
    id_type = values.get("id_type") or (talent.id_type if talent is not None else IdType.RESIDENT)
    id_changes = bool(values.get("id_number")) or (talent is not None and "id_type" in values and values["id_type"])
    number = values.get("id_number") or _stored_id(talent)
    facts = None
    if number and (id_changes or "birth_date" in values or "sex" in values):
        try:
            canonical, facts = id_facts(str(id_type), number)
        except ValueError as exc:
            if id_changes:
                errors.add("id_number", _("ID number: %(reason)s") % {"reason": exc})
        else:
            same = talent is not None and id_blind_index(str(id_type), canonical) == talent.id_index
            if id_changes and not same:
                out.update(id_fields(str(id_type), canonical))
                duplicate = Talent.objects.filter(id_index=out["id_index"])
                if talent is not None:
                    duplicate = duplicate.exclude(pk=talent.pk)
                if check_duplicate and duplicate.exists():
                    errors.add("id_number", _("A talent with this ID number is already registered."))
    if facts is not None and facts.birth_date is not None:
        given = values.get("birth_date")
        if given is not None and given != facts.birth_date:
            errors.add(
                "birth_date",
                _("Does not agree with the ID number (born %(date)s).") % {"date": facts.birth_date.isoformat()},
            )
        elif id_changes or "birth_date" in values:
            out["birth_date"] = facts.birth_date
    elif "birth_date" in values:
        out["birth_date"] = values["birth_date"]
    if facts is not None and facts.sex is not None:
        given_sex = values.get("sex")
        if given_sex and given_sex != facts.sex:
            errors.add("sex", _("Does not agree with the ID number."))
        elif id_changes or "sex" in values:
            out["sex"] = facts.sex
    elif "sex" in values:
        out["sex"] = values["sex"] or ""

    start = out.get("contract_start", talent.contract_start if talent is not None else None)
    end = out.get("contract_end", talent.contract_end if talent is not None else None)
    if start is not None and end is not None and end < start:
        field = "contract_end" if "contract_end" in values else "contract_start"
        errors.add(field, _("The contract cannot end before it starts."))
    return out


def _apply(talent: Talent, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(talent, key, value)
    talent.refresh_search_text()


@transaction.atomic
def talent_create(*, acting_user: User | None, data: TalentInput, lookups: TalentLookups | None = None) -> Talent:
    """Register a talent (人才档案). The ID number must be valid for its document type and not
    registered yet; birth date and sex come from the ID when it carries them; the org unit,
    station, industry and employer are looked up among what ``acting_user`` may use."""
    if acting_user is not None and not acting_user.has_role(*selectors.EDITOR_ROLES):
        raise PermissionDenied
    errors = Errors()
    values = data.values()
    values.setdefault("id_type", IdType.RESIDENT)
    lookups = lookups or TalentLookups.load(acting_user)
    cleaned = judge_talent(talent=None, values=values, lookups=lookups, errors=errors)
    errors.raise_if_any()
    talent = Talent()
    _apply(talent, cleaned)
    try:
        with transaction.atomic():
            talent.save()
    except IntegrityError:
        # Registered meanwhile by someone else (the unique blind index decided the race).
        raise InvalidInput.field("id_number", _("A talent with this ID number is already registered.")) from None
    audit_write(action="talent.create", user=acting_user, obj=talent, after=talent_audit_snapshot(talent))
    send_talents_changed({talent.pk: None})
    return talent


def _check_version(talent: Talent, version: int | None) -> int:
    return talent.version if version is None else version


def _save_cas(talent: Talent, fields: list[str], expected: int) -> None:
    """Write ``fields`` if the stored version is still ``expected`` (CONC-01), else 409."""
    talent.updated_at = timezone.now()
    values = {f: getattr(talent, f) for f in [*fields, "updated_at"]}
    changed = Talent.objects.filter(pk=talent.pk, version=expected).update(version=expected + 1, **values)
    if changed != 1:
        raise Conflict(_("This talent was changed by someone else; reload it and apply your change again."))
    talent.version = expected + 1


@transaction.atomic
def talent_update(
    *, acting_user: User | None, talent: Talent, data: TalentUpdateInput, lookups: TalentLookups | None = None
) -> Talent:
    """Change a talent (PATCH semantics). ``data.version`` guards against lost updates (409)."""
    if acting_user is not None and not selectors.can_edit_talent(acting_user, talent):
        raise PermissionDenied
    errors = Errors()
    values = data.values()
    cleaned = judge_talent(
        talent=talent,
        values=values,
        lookups=lookups or TalentLookups.load(acting_user, keep=talent.org_unit),
        errors=errors,
    )
    errors.raise_if_any()
    expected = _check_version(talent, data.version)
    before = talent_audit_snapshot(talent)
    changed = {k: v for k, v in cleaned.items() if getattr(talent, k) != v}
    if not changed:
        if expected != talent.version:
            raise Conflict(_("This talent was changed by someone else; reload it and apply your change again."))
        return talent
    _apply(talent, changed)
    fields = [_attname(Talent, k) for k in changed]
    try:
        with transaction.atomic():
            _save_cas(talent, [*fields, "search_text"], expected)
    except IntegrityError:
        raise InvalidInput.field("id_number", _("A talent with this ID number is already registered.")) from None
    old, new = diff(before, talent_audit_snapshot(talent))
    audit_write(action="talent.update", user=acting_user, obj=talent, before=old, after=new)
    send_talents_changed({talent.pk: set(changed)})
    return talent


@dataclass(frozen=True)
class RevealedPII:
    """A talent's personal data in full (``talent_reveal``)."""

    id_type: str
    id_number: str
    phone: str


def talent_reveal(*, acting_user: User, talent: Talent) -> RevealedPII:
    """The unmasked ID number and phone, for the talent office and the city admin only; every
    reveal is audited ("talent.reveal": who, whose record, which fields — never the values).
    A refusal is audited as denied."""
    if not acting_user.has_role(*selectors.REVEAL_ROLES):
        audit_denied(user=acting_user, action="talent.reveal_denied", target=f"talent {talent.pk}")
        raise PermissionDenied
    revealed = RevealedPII(
        id_type=talent.id_type,
        id_number=_stored_id(talent),
        phone=decrypt_phone(talent.phone_enc) if talent.phone_enc else "",
    )
    fields = ["id_number"] + (["phone"] if revealed.phone else [])
    audit_write(action="talent.reveal", user=acting_user, obj=talent, detail="fields: " + ", ".join(fields))
    return revealed


@transaction.atomic
def talent_depart(*, acting_user: User | None, talent: Talent, data: DepartInput) -> Talent:
    """The talent left the city: status departed from ``departed_on`` (scheduled subsidies stop)."""
    if acting_user is not None and not selectors.can_edit_talent(acting_user, talent):
        raise PermissionDenied
    if talent.status == TalentStatus.DEPARTED:
        raise Conflict(_("This talent is already recorded as departed."))
    if talent.arrival_date is not None and data.departed_on < talent.arrival_date:
        raise InvalidInput.field("departed_on", _("The departure cannot be before the arrival."))
    expected = _check_version(talent, data.version)
    before = talent_audit_snapshot(talent)
    talent.status = TalentStatus.DEPARTED
    talent.departed_on = data.departed_on
    _save_cas(talent, ["status", "departed_on"], expected)
    old, new = diff(before, talent_audit_snapshot(talent))
    audit_write(action="talent.depart", user=acting_user, obj=talent, before=old, after=new)
    # The ledger stops the unpaid entries after the departure in this same transaction.
    send_talents_changed({talent.pk: {"status", "departed_on"}})
    return talent


@transaction.atomic
def talent_link_account(*, acting_user: User | None, talent: Talent, data: LinkAccountInput) -> Talent:
    """Link a talent portal account to the record: the account must hold the talent role and
    not be linked to another talent (a person has one record)."""
    if acting_user is not None and not selectors.can_edit_talent(acting_user, talent):
        raise PermissionDenied
    account = User.objects.filter(username=data.username, is_active=True).first()
    if account is None or account.admin_role or not account.has_role(Role.TALENT):
        raise InvalidInput.field("username", _("No talent portal account has this username."))
    other = Talent.objects.filter(account=account).exclude(pk=talent.pk).first()
    if other is not None:
        raise InvalidInput.field("username", _("This account is already linked to another talent."))
    if talent.account_id == account.pk:
        return talent
    before = talent_audit_snapshot(talent)
    talent.account = account
    _save_cas(talent, ["account_id"], talent.version)
    old, new = diff(before, talent_audit_snapshot(talent))
    audit_write(action="talent.link_account", user=acting_user, obj=talent, before=old, after=new)
    return talent


# --------------------------------------------------------------------------- station leads


def _lead_values(values: dict[str, Any], lookups: TalentLookups, errors: Errors) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in values and not values["name"]:
        errors.add("name", _("This field is required."))
    for name in ("name", "field_of_work", "current_employer", "note"):
        if name in values:
            out[name] = values[name] or ""
    for name in ("education", "contacted_on"):
        if values.get(name):
            out[name] = values[name]
    if "contacted_on" in values and values["contacted_on"] is None:
        errors.add("contacted_on", _("This field is required."))
    if values.get("status"):
        if values["status"] == LeadStatus.ARRIVED:
            errors.add("status", _("Mark the lead arrived with the talent record it became."))
        out["status"] = values["status"]
    if "target_employer" in values:
        ref = values["target_employer"]
        employer = lookups.employer(ref) if ref else None
        if ref and employer is None:
            errors.add("target_employer", _("Unknown employer (give the enterprise's id or credit code)."))
        out["target_employer"] = employer
    return out


@transaction.atomic
def lead_create(*, acting_user: User | None, station: OrgUnit, data: LeadInput) -> TalentLead:
    """Add a lead to ``station`` (its staff, the talent office, the city admin)."""
    if acting_user is not None and not selectors.can_manage_station(acting_user, station):
        raise PermissionDenied
    errors = Errors()
    values = _lead_values(data.values(), TalentLookups(user=acting_user), errors)
    errors.raise_if_any()
    lead = TalentLead(station=station, **values)
    lead.save()
    audit_write(action="talent_lead.create", user=acting_user, obj=lead, after=snapshot(lead))
    return lead


def _lead_cas(lead: TalentLead, fields: list[str], expected: int) -> None:
    values = {f: getattr(lead, f) for f in fields}
    if TalentLead.objects.filter(pk=lead.pk, version=expected).update(version=expected + 1, **values) != 1:
        raise Conflict(_("This lead was changed by someone else; reload it and apply your change again."))
    lead.version = expected + 1


@transaction.atomic
def lead_update(*, acting_user: User | None, lead: TalentLead, data: LeadUpdateInput) -> TalentLead:
    """Change a lead (its status up to lost; arriving is ``lead_mark_arrived``)."""
    if acting_user is not None and not selectors.can_manage_station(acting_user, lead.station):
        raise PermissionDenied
    if lead.status == LeadStatus.ARRIVED:
        raise Conflict(_("This lead has arrived; change the talent's record instead."))
    errors = Errors()
    values = _lead_values(data.values(), TalentLookups(user=acting_user), errors)
    errors.raise_if_any()
    changed = {k: v for k, v in values.items() if getattr(lead, k) != v}
    expected = lead.version if data.version is None else data.version
    if not changed:
        return lead
    before = snapshot(lead)
    for key, value in changed.items():
        setattr(lead, key, value)
    _lead_cas(lead, [_attname(TalentLead, k) for k in changed], expected)
    old, new = diff(before, snapshot(lead))
    audit_write(action="talent_lead.update", user=acting_user, obj=lead, before=old, after=new)
    return lead


@transaction.atomic
def lead_mark_arrived(*, acting_user: User | None, lead: TalentLead, data: LeadArrivedInput) -> TalentLead:
    """The lead arrived: link it to the talent record it became (one the caller may see, not
    linked to another lead); the lead counts as the station's arrival."""
    if acting_user is not None and not selectors.can_manage_station(acting_user, lead.station):
        raise PermissionDenied
    if lead.status == LeadStatus.ARRIVED:
        raise Conflict(_("This lead is already marked arrived."))
    ref = data.talent
    visible = Talent.objects.all() if acting_user is None else selectors.talent_list_visible_to(acting_user)
    talent = visible.filter(pk=int(ref)).first() if ref.isascii() and ref.isdigit() and len(ref) < 12 else None
    if talent is None:
        raise InvalidInput.field("talent", _("Unknown talent."))
    if TalentLead.objects.filter(talent=talent).exclude(pk=lead.pk).exists():
        raise InvalidInput.field("talent", _("This talent is already the arrival of another lead."))
    expected = lead.version if data.version is None else data.version
    before = snapshot(lead)
    lead.status = LeadStatus.ARRIVED
    lead.talent = talent
    _lead_cas(lead, ["status", "talent_id"], expected)
    old, new = diff(before, snapshot(lead))
    audit_write(action="talent_lead.arrived", user=acting_user, obj=lead, before=old, after=new)
    return lead


# ---- recognition: the tier a recognition decision grants -------------------------------------


@transaction.atomic
def talent_set_tier(*, acting_user: User, talent: Talent, tier: str, valid_until: dt.date, reason: str) -> Talent:
    """Set the talent's tier and its valid-until date: the only writer of ``Talent.tier``,
    called by a recognition decision (认定) inside its transaction, which has judged who may
    decide. Locks the record, bumps its version, audits "talent.set_tier" with ``reason`` (the
    certificate number) as the detail. Returns the changed record."""
    current = Talent.objects.select_for_update().get(pk=talent.pk)
    before = snapshot(current, ["tier", "tier_valid_until", "version"])
    current.tier = tier
    current.tier_valid_until = valid_until
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["tier", "tier_valid_until", "version", "updated_at"])
    old, new = diff(before, snapshot(current, ["tier", "tier_valid_until", "version"]))
    audit_write(action="talent.set_tier", user=acting_user, obj=current, before=old, after=new, detail=reason)
    send_talents_changed({current.pk: {"tier", "tier_valid_until"}})
    return current
