"""What the audit log keeps of a business record, and what the 三员 read (issue 12 D4).

三员分立 (AC-05): the auditor reads the audit log and no business data. So for a business
object (an enterprise, project, matter, policy, payout, visit, catalog item, target …) an
audit record keeps *which* fields changed and the ids involved, not the values, except for
the fields of ``ALLOWED_FIELDS``: codes of the record's own machinery (state, stage,
version, kind …), references to other records (ids), org-unit codes, periods, timestamps
and counts. None of them names a person or says anything about an enterprise's business.

* ``minimise`` is applied by ``audit_write`` and ``audit_write_many`` to every record before
  it is hashed, so every app follows without edits. A withheld value is stored as
  ``WITHHELD``; an empty value (None, "", [], {}) stays as it is (that a field was empty
  says nothing about it).
* ``for_reader`` applies the same rule when the auditor reads a record (list, detail,
  export), so records written before the rule existed do not show their values either
  (their stored JSON cannot change: the chain hashes it). Idempotent on new records.
* Security-administration objects (accounts, roles, org units, the work calendar, the audit
  log itself, system jobs) keep their values, which is what the security administrator's
  record of who-granted-what needs; personal names in them are masked (``lib.masking``)
  wherever the 三员 read them, as phone numbers, e-mails and ID numbers already were.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from zhaoyin.lib.masking import mask_value

#: What replaces a withheld value (language-neutral: it is stored and hashed).
WITHHELD = "***"

#: App labels (or exact object types) whose records keep their values: security
#: administration and the system itself, not business data. Every other object type is
#: treated as business data — a new app is withheld until it is listed here.
SECURITY_APPS = frozenset({"accounts", "audit", "workcalendar", "ops", "sessions", "auth"})
#: Object types that are not models: a refused URL (its path) and records about no object.
SECURITY_OBJECT_TYPES = frozenset({"", "url"})

#: Fields of business records whose values are kept. Each is process metadata or a
#: reference, never a person's name or an enterprise's figures, names or texts:
#: ids and references (the auditor follows a record by id); state machine codes and the
#: optimistic-lock version (what a transition did); org-unit codes (who is responsible, as
#: the record's own ``unit`` column already says); the period a record belongs to;
#: timestamps of the record's own steps (``*_at``) and the date its stage changed; the
#: statutory clock of a matter; digests of files; counts in import and export summaries;
#: the filter parameters that are codes (the free-text search ``q`` is withheld).
ALLOWED_FIELDS = frozenset({
    # ids and references (matter codes of a visit's demands, role codes told of a matter)
    "id", "code", "entry", "file", "items", "replaces", "demands", "recipients",
    # state machine and record machinery
    "state", "status", "stage", "resume_stage", "version", "action", "kind", "source", "level",
    "category", "delivery", "channel", "verdict", "format", "indicator", "alert_level", "clock",
    # organisation
    "org_unit", "unit", "co_units", "lead_unit", "dispatcher_unit", "group", "service_group",
    # the industry dictionary (a code or an id, as in the list filters)
    "industry",
    # periods and dates of the record's own steps
    "year", "month", "period", "stage_on", "deadline", "due_on", "sign_deadline", "handle_deadline",
    # digests, counts and summaries
    "sha256", "rows", "count", "bytes", "units", "created", "updated", "unchanged", "skipped",
    "rejected", "errors", "total", "recomputed",
    # an export's filter: its keys are kept, its values follow this same list
    "filter", "filters",
})

#: Fields kept for one object type only. A policy is a government document meant for
#: publication, and why it was withdrawn is a public statement about it, not about an
#: enterprise; the policy page's status history reads it from the audit log.
#: A 亩均 run's digests (SHA-256 of its snapshot, scheme and results), engine version and
#: re-run count are its reproducibility record, not figures of a firm: an upheld objection's
#: record keeps the digest it replaced (docs/mujun.md).
_MU_RUN_FIELDS = frozenset({"digest", "inputs_digest", "scheme_digest", "engine_version", "revision",
                            "dropped_grade_changes"})
ALLOWED_BY_TYPE: dict[str, frozenset[str]] = {
    "policies.policy": frozenset({"reason"}),
    "mujun.murun": _MU_RUN_FIELDS,
    "mujun.muobjection": _MU_RUN_FIELDS,
}

#: Keys of an export's filter (``{"filter": {...}}``) whose values are plain codes, kept
#: besides ``ALLOWED_FIELDS``: choice codes (the light ``alert``, ``quarter``, ``tier``, the
#: 亩均 ``grade`` and result ``list`` …), yes/no switches, dictionary references (park,
#: station, qualification), the investment bounds the user typed (a threshold, not a firm's
#: figure), the sort and the page size. Withheld: the free-text search ``q`` and
#: ``id_number`` (personal data). audit/tests/test_redaction.py walks every list's FilterSet,
#: so a new filter parameter is decided here, not silently masked.
FILTER_CODE_KEYS = frozenset({
    "alert", "quarter", "stale", "expiring", "tier", "education", "layout", "size_class",
    "source_region", "attraction_method", "beneficiary", "round", "grade", "list",
    "flagged", "granted", "has_talent", "listed", "closed_on_time",
    "park", "station", "qualification",
    "min_investment", "max_investment",
    "sort", "page_size",
    # the period and basis of a drill-down or the cockpit (not a filter set's, the page's own)
    "as_of", "basis", "ranked", "by",
})
#: Filter keys naming another record by id: kept when the value is digits only.
FILTER_ID_KEYS = frozenset({"building", "enterprise", "policy", "talent", "run"})

#: Names under which records and details refer to another record: kept when the value is
#: an id (a number), withheld otherwise.
REFERENCE_NAMES = frozenset({"enterprise", "project", "matter", "policy", "visit", "payout", "user"})


def is_business(object_type: str) -> bool:
    """True when records of ``object_type`` ("app.model") are business data."""
    if object_type in SECURITY_OBJECT_TYPES:
        return False
    return object_type.partition(".")[0] not in SECURITY_APPS


def _model(object_type: str) -> type[models.Model] | None:
    label, _, name = object_type.partition(".")
    try:
        return apps.get_model(label, name) if name else None
    except (LookupError, ValueError):
        return None


def _is_reference(model: type[models.Model] | None, name: str) -> bool:
    """A field whose value is the id of another record (a foreign key, or ``*_id``)."""
    if name.endswith("_id") or name.endswith("_ids"):
        return True
    if model is None:
        return False
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(f.is_relation and (f.many_to_one or f.one_to_one))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _kept(model: type[models.Model] | None, name: str, value: Any = None) -> bool:
    if name in REFERENCE_NAMES and isinstance(value, int) and not isinstance(value, bool):
        return True
    return name in ALLOWED_FIELDS or name.endswith("_at") or _is_reference(model, name)


def _filter_kept(key: str, value: Any) -> bool:
    """A value of an export's filter is kept when its key is a code (see FILTER_CODE_KEYS)."""
    if _empty(value) or key in FILTER_CODE_KEYS or _kept(None, key, value):
        return True
    return key in FILTER_ID_KEYS and isinstance(value, str) and value.isascii() and value.isdigit()


def withhold(object_type: str, data: Any) -> Any:
    """``data`` (a before/after mapping) as the audit log keeps it for ``object_type``."""
    if not isinstance(data, Mapping):
        return data if _empty(data) or not is_business(object_type) else WITHHELD
    if not is_business(object_type):
        return _mask_names(data)
    model = _model(object_type)
    extra = ALLOWED_BY_TYPE.get(object_type, frozenset())
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key)
        if name in ("filter", "filters") and isinstance(value, Mapping):
            out[name] = {str(k): v if _filter_kept(str(k), v) else WITHHELD for k, v in value.items()}
        elif _empty(value) or name in extra or _kept(model, name, value):
            out[name] = value
        else:
            out[name] = WITHHELD
    return out


def _mask_names(value: Any, field: str = "") -> Any:
    """Personal data masked at any depth (names, phones, e-mails, ID numbers)."""
    if isinstance(value, Mapping):
        return {str(k): _mask_names(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_names(v, field) for v in value]
    return mask_value(field, value)


def withhold_detail(object_type: str, detail: str) -> str:
    """A record's free-text detail: a JSON object follows ``withhold``; other text of a
    business record is withheld whole (it may quote anything)."""
    if not detail:
        return detail
    try:
        parsed = json.loads(detail)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        kept = withhold(object_type, parsed)
        return detail if kept == parsed else json.dumps(kept, ensure_ascii=False, sort_keys=True)
    return WITHHELD if is_business(object_type) else detail


def withhold_repr(object_type: str, text: str) -> str:
    """A business object's display text (its name, title, an amount …) is not kept: its
    type and id identify it."""
    return "" if is_business(object_type) else text


def minimise(fields: dict[str, Any]) -> dict[str, Any]:
    """The record fields ``audit_write`` is about to store, with the rule applied."""
    object_type = str(fields.get("object_type") or "")
    out = dict(fields)
    out["object_repr"] = withhold_repr(object_type, str(out.get("object_repr") or ""))
    for name in ("before", "after"):
        if out.get(name) is not None:
            out[name] = withhold(object_type, out[name])
    out["detail"] = withhold_detail(object_type, str(out.get("detail") or ""))
    return out


@dataclass(frozen=True)
class ReaderView:
    """What the 三员 read of one record: the rule applied to its stored content."""

    object_repr: str
    before: Any
    after: Any
    detail: str


def for_reader(record: Any) -> ReaderView:
    """The record as the auditor's pages and export show it (old records included)."""
    kept = minimise({
        "object_type": record.object_type, "object_repr": record.object_repr,
        "before": record.before, "after": record.after, "detail": record.detail,
    })
    return ReaderView(
        object_repr=kept["object_repr"], before=kept["before"], after=kept["after"], detail=kept["detail"]
    )
