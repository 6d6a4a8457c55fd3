"""Policy library use cases: register, change, publish / withdraw, expire, attachments.

The only writers of policies. Each service is atomic, cleans its input before writing
(the input models of ``policies.inputs``, then ``policy_values``: ``InvalidInput``
naming the field, or the tree node), writes
its audit record in the same transaction (AUD-01), and takes status changes through the
transition table (``policies.flow``). When a policy's status or eligibility changes, its
stored matches are recomputed once the transaction has committed (the signal
``policies.signals.policy_matching_changed``, heard by ``matching.verdicts``): a rolled-back
change leaves them as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.lib import eligibility as engine
from zhaoyin.policies import flow
from zhaoyin.policies.inputs import PolicyInput, PolicyUpdateInput
from zhaoyin.policies.models import Beneficiary, Policy, PolicyFile, PolicyStatus
from zhaoyin.policies.selectors import can_edit_policy, can_keep_policy_in
from zhaoyin.policies.signals import send_matching_changed
from zhaoyin.policies.validation import clean_eligibility, clean_keeper_unit, clean_line, vocabulary_for

FILE_AREA = "policy_files"
MAX_REASON = 500
#: The fields whose change alters who matches the policy.
MATCH_INPUTS = frozenset({"eligibility", "status", "beneficiary"})


def _stale() -> Conflict:
    return Conflict(_("This policy was changed by someone else; reload it and apply your change again."))


def refresh_matches_on_commit(policy: Policy) -> None:
    """Have the policy's stored matches recomputed after the surrounding transaction commits.

    The matching app sits above this one: it hears ``policies.signals.policy_matching_changed``
    and defers the work to the commit itself.
    """
    send_matching_changed(policy)


def policy_values(
    data: PolicyInput | PolicyUpdateInput,
    *,
    acting_user: User | None = None,
    current: Policy | None = None,
    vocab: engine.Vocabulary | None = None,
    vocabs: dict[str, engine.Vocabulary] | None = None,
) -> dict[str, Any]:
    """The model-ready values of a registration (every field) or of a change (the fields sent):
    the keeping unit found by its code, the eligibility tree checked against the dictionaries
    of the policy's beneficiary (an enterprise tree, or a talent tree for a talent policy; each
    bad node named, ``eligibility.all[1].op``) and made canonical, a change's validity checked
    against the stored dates of ``current``. ``InvalidInput`` listing every refusal.

    A change of ``beneficiary`` without a new tree re-checks the stored tree against the new
    subject: an enterprise leaf left in a talent policy is refused, naming its path.

    The input model has judged each value already (``policies.inputs``). A registration without
    a unit leaves ``org_unit`` out (the service's default). ``vocab`` (enterprise) and ``vocabs``
    (by beneficiary): the dictionaries, loaded once by a caller cleaning many rows (an import).
    """
    partial = isinstance(data, PolicyUpdateInput)
    kept_in = current.org_unit_id if current is not None else None

    def keeper_scope(unit: OrgUnit) -> bool:
        # The unit a policy is kept in already stays allowed; another must be in scope (AC-03).
        return unit.pk == kept_in or can_keep_policy_in(acting_user, unit)

    names = data.given() if partial else set(type(data).model_fields)
    errors = Errors()
    out: dict[str, Any] = {}
    sent_beneficiary = getattr(data, "beneficiary", None) if "beneficiary" in names else None
    beneficiary = sent_beneficiary or (current.beneficiary if current is not None else Beneficiary.ENTERPRISE.value)
    known = dict(vocabs or {})
    if vocab is not None:
        known.setdefault(Beneficiary.ENTERPRISE.value, vocab)
    tree_vocab = known.get(beneficiary) or vocabulary_for(beneficiary)
    for name in (n for n in type(data).model_fields if n in names):
        value = getattr(data, name)
        if name == "org_unit":
            if value is None:
                if partial:
                    errors.add("org_unit", _("This field is required."))
                continue
            try:
                out["org_unit"] = clean_keeper_unit(value, keeper_scope)
            except ValueError as exc:
                errors.add("org_unit", str(exc))
        elif name == "eligibility":
            try:
                out["eligibility"] = clean_eligibility(value, vocab=tree_vocab)
            except InvalidInput as exc:
                errors.capture(exc)
        else:
            out[name] = value
    if (
        current is not None
        and "eligibility" not in names
        and sent_beneficiary is not None
        and sent_beneficiary != current.beneficiary
        and current.eligibility
    ):
        # The stored tree was written for the other subject: judge it again for the new one.
        try:
            clean_eligibility(current.eligibility, vocab=tree_vocab)
        except InvalidInput as exc:
            errors.capture(exc)
    if current is not None:
        start = out.get("valid_from", current.valid_from)
        end = out.get("valid_to", current.valid_to)
        if (
            ("valid_from" in out or "valid_to" in out)
            and isinstance(start, dt.date)
            and isinstance(end, dt.date)
            and end < start
        ):
            errors.add(
                "valid_to", _("must not be before the start of validity (%(day)s)") % {"day": start.isoformat()}
            )
    errors.raise_if_any()
    return out


def _default_unit(acting_user: User | None) -> OrgUnit | None:
    """Where a policy is kept when the input names no unit: a unit admin's own unit, else the city."""
    if acting_user is not None and acting_user.org_unit is not None and not acting_user.has_role(
        Role.CITY_ADMIN
    ):
        return acting_user.org_unit
    return OrgUnit.objects.filter(kind=OrgUnitKind.CITY, is_active=True).order_by("path").first()


def _check_unit(acting_user: User | None, unit: OrgUnit, message: str) -> None:
    if not can_keep_policy_in(acting_user, unit):
        raise InvalidInput.field("org_unit", message)


@transaction.atomic
def policy_create(*, acting_user: User | None, data: PolicyInput) -> Policy:
    """Register a policy as a draft (publish it with ``policy_transition``).

    ``org_unit`` (the keeping unit's code) defaults to the acting unit admin's unit, or the
    city. The eligibility tree may be left out (``{}``) while drafting; its nodes are checked
    here against the dictionaries (``policy_values``).
    """
    cleaned = policy_values(data, acting_user=acting_user)
    unit = cleaned.pop("org_unit", None) or _default_unit(acting_user)
    if unit is None:
        raise InvalidInput.field("org_unit", _("This field is required."))
    _check_unit(acting_user, unit, _("You may not register policies in this org unit."))
    now = timezone.now()
    policy = Policy(
        **cleaned,
        org_unit=unit,
        status=PolicyStatus.DRAFT,
        created_by=acting_user,
        created_at=now,
        updated_at=now,
    )
    policy.refresh_search_text()
    policy.save(force_insert=True)
    audit_write(action="policy.create", user=acting_user, obj=policy, after=snapshot(policy))
    return policy


@transaction.atomic
def policy_update(
    *, acting_user: User | None, policy: Policy, data: PolicyUpdateInput, version: int | None = None
) -> Policy:
    """Change a policy's fields (PATCH semantics: only the fields sent, ``data.given()``; not
    the status).

    Drafts and policies in force may be changed; expired and withdrawn ones are history
    (``Conflict``). A policy in force keeps an eligibility tree. ``version`` guards against
    lost updates (CONC-01): a stale one raises ``Conflict``. Saving what is stored writes
    nothing.
    """
    if acting_user is not None and not can_edit_policy(acting_user, policy):
        raise PermissionDenied
    if not flow.is_editable(policy.status):
        raise Conflict(_("An expired or withdrawn policy can no longer be changed."))
    cleaned = policy_values(data, acting_user=acting_user, current=policy)
    if policy.status == PolicyStatus.IN_FORCE and cleaned.get("eligibility", policy.eligibility) == {}:
        raise InvalidInput.field("eligibility", _("A policy in force needs an eligibility tree."))
    if version is not None and version != policy.version:
        raise _stale()
    if all(getattr(policy, key) == value for key, value in cleaned.items()):
        return policy
    before = snapshot(policy)
    current_version = policy.version
    for key, value in cleaned.items():
        setattr(policy, key, value)
    policy.refresh_search_text()
    policy.updated_at = timezone.now()
    fields = [*cleaned, "search_text", "updated_at"]
    values = {f: getattr(policy, f) for f in fields}
    changed = Policy.objects.filter(pk=policy.pk, version=current_version).update(
        version=current_version + 1, **values
    )
    if changed != 1:
        policy.refresh_from_db()
        raise _stale()
    policy.version = current_version + 1
    old, new = diff(before, snapshot(policy))
    if old or new:
        audit_write(action="policy.update", user=acting_user, obj=policy, before=old, after=new)
    if ("eligibility" in old or "beneficiary" in old) and policy.status == PolicyStatus.IN_FORCE:
        refresh_matches_on_commit(policy)
    return policy


@transaction.atomic
def policy_transition(
    *,
    acting_user: User | None,
    policy: Policy,
    action: str,
    reason: str = "",
    version: int | None = None,
    today: dt.date | None = None,
) -> Policy:
    """Take a person's action of the transition table (``publish``, ``withdraw``).

    An action the table does not allow from the current status → ``Conflict`` (409), also
    when it was pressed twice (the second finds the status changed). Publishing needs a valid
    eligibility tree (re-checked against today's dictionaries) and a ``valid_to`` not past;
    withdrawing needs a reason.
    """
    if acting_user is not None and not can_edit_policy(acting_user, policy):
        raise PermissionDenied
    if action not in flow.MANUAL_ACTIONS:
        raise InvalidInput.field(
            "action", _("Choose one of: %(values)s.") % {"values": ", ".join(flow.MANUAL_ACTIONS)}
        )
    # Who may take the action is the table's (role codes); which policies, the scope rule above.
    if acting_user is not None and not flow.TABLE.by_action[flow.Action(action)].may(acting_user.role_codes):
        raise PermissionDenied
    row = flow.TABLE.transition_for(action, policy.status)
    if row is None:
        raise Conflict(
            _("This action is not allowed while the policy is %(status)s.")
            % {"status": policy.get_status_display()}
        )
    if version is not None and version != policy.version:
        raise _stale()
    today = today or timezone.localdate()
    new_status = row.leads_to(flow.Status(policy.status)).value
    after: dict[str, Any] = {"status": new_status}
    if row.action == flow.Action.PUBLISH:
        if not policy.eligibility:
            raise InvalidInput.field("eligibility", _("Define the eligibility conditions before publishing."))
        clean_eligibility(policy.eligibility, vocab=vocabulary_for(policy.beneficiary))
        if policy.valid_to is not None and policy.valid_to < today:
            raise InvalidInput.field("valid_to", _("The policy's validity has already ended."))
    if row.needs_reason:
        try:
            text = clean_line(reason, MAX_REASON)
        except ValueError as exc:
            raise InvalidInput.field("reason", str(exc)) from None
        if not text:
            raise InvalidInput.field("reason", _("Give a reason."))
        after["reason"] = text
    old_status, old_version = policy.status, policy.version
    now = timezone.now()
    changed = Policy.objects.filter(pk=policy.pk, status=old_status, version=old_version).update(
        status=new_status, version=old_version + 1, updated_at=now
    )
    if changed != 1:
        policy.refresh_from_db()
        raise _stale()
    policy.status, policy.version, policy.updated_at = new_status, old_version + 1, now
    audit_write(
        action=f"policy.{row.action.value}", user=acting_user, obj=policy, before={"status": old_status}, after=after
    )
    refresh_matches_on_commit(policy)
    return policy


@transaction.atomic
def expire_policies(*, today: dt.date | None = None) -> int:
    """Move every policy in force whose ``valid_to`` has passed to ``expired`` (the ``expire``
    row of the table); returns how many. Idempotent: run daily by the worker."""
    today = today or timezone.localdate()
    rule = flow.TABLE.by_action[flow.Action.EXPIRE]
    count = 0
    for policy in Policy.objects.filter(status__in=rule.sources, valid_to__lt=today).order_by("id"):
        row = flow.TABLE.transition_for(flow.Action.EXPIRE, policy.status)
        if row is None:  # pragma: no cover - the query selected the row's sources
            continue
        new_status = row.leads_to(flow.Status(policy.status)).value
        changed = Policy.objects.filter(pk=policy.pk, status=policy.status, version=policy.version).update(
            status=new_status, version=policy.version + 1, updated_at=timezone.now()
        )
        if changed != 1:
            continue
        old = policy.status
        policy.status, policy.version = new_status, policy.version + 1
        audit_write(
            action="policy.expire",
            user=None,
            obj=policy,
            before={"status": old},
            after={"status": new_status, "valid_to": policy.valid_to},
        )
        refresh_matches_on_commit(policy)
        count += 1
    return count


def run_expire_job() -> None:
    """The worker's daily job (registered in ``PoliciesConfig.ready``)."""
    expire_policies()


# --------------------------------------------------------------------------- attachments


def policy_file_path(stored_name: str) -> Path:
    """The path of a stored policy attachment (the stored name is random hex)."""
    return files_core.stored_path(FILE_AREA, stored_name)


def policy_files_add(
    *, acting_user: User | None, policy: Policy, files: Sequence[files_core.Upload] | None
) -> list[PolicyFile]:
    """Attach files (the original document, forms) to a policy: each checked whole before
    anything is written (count, size, type by content), stored under a random name, audited.
    The files are read, checked and hashed before the write transaction opens."""
    if acting_user is not None and not can_edit_policy(acting_user, policy):
        raise PermissionDenied
    uploads = files_core.read_uploads(files, field="files")
    with transaction.atomic():
        return _policy_files_store(acting_user=acting_user, policy=policy, checked=uploads.checked())


def _policy_files_store(
    *, acting_user: User | None, policy: Policy, checked: list[files_core.CheckedFile]
) -> list[PolicyFile]:
    if not checked:
        raise InvalidInput.field("files", _("Choose at least one file."))
    rows: list[PolicyFile] = []
    with files_core.stored_uploads(FILE_AREA) as store:
        for item in checked:
            rows.append(PolicyFile.objects.create(policy=policy, uploaded_by=acting_user, **store.write(item)))
        audit_write(
            action="policy.files_add",
            user=acting_user,
            obj=policy,
            after={"files": [f.original_name for f in rows], "sha256": [f.sha256 for f in rows]},
        )
    return rows


def policy_file_open(*, acting_user: User, file: PolicyFile) -> BinaryIO:
    """Open a policy's attachment for ``acting_user`` and audit the read
    ("policy.file.download"). ``file`` comes from ``selectors.policy_file_get_for_user``."""
    policy = file.policy
    return files_core.open_audited(
        policy_file_path(file.stored_name),
        acting_user=acting_user,
        action="policy.file.download",
        obj=file,
        object_repr=f"{policy.title[:150]} {file.original_name}",
        detail={"file": file.pk, "name": file.original_name, "sha256": file.sha256, "policy": policy.pk},
    )
