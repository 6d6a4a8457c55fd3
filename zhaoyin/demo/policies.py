"""Loading the demo's policy library (``policies_data.POLICIES``) through the policy services.

Idempotent: a policy whose title is already in the library is skipped, so a second run
writes nothing. Each policy is registered (``policy_create``) with ``acting_user=None`` (the
caller runs the demo under ``acting(channel="cli")``), then published, withdrawn or expired
as its spec says — through the same services and transition table as a person's action.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from zhaoyin.demo import data
from zhaoyin.demo.policies_data import PHONE, POLICIES, PolicySpec
from zhaoyin.enterprises.models import Industry
from zhaoyin.policies import services
from zhaoyin.policies.inputs import PolicyInput
from zhaoyin.policies.models import Policy

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult


def _day(year: int, when: tuple[int, int, int] | None) -> str | None:
    if when is None:
        return None
    offset, month, day = when
    return dt.date(year + offset, month, day).isoformat()


def industry_codes() -> dict[str, str]:
    """Industry name → code (the demo tops the dictionary up by name, codes may differ)."""
    return dict(Industry.objects.values_list("name", "code"))


def policy_input(spec: PolicySpec, *, year: int, codes: dict[str, str], index: int) -> dict[str, Any]:
    """The ``policy_create`` input of one spec in ``year``."""
    out: dict[str, Any] = {
        "title": spec.title,
        "issuer": spec.issuer,
        "level": spec.level,
        "doc_no": spec.doc_no,
        "category": spec.category,
        "org_unit": spec.org_unit,
        "valid_from": _day(year, spec.valid_from),
        "valid_to": _day(year, spec.valid_to),
        "delivery": spec.delivery,
        "summary": spec.summary,
        "benefits": spec.benefits,
        "max_amount_wan": spec.max_amount_wan,
        "application_guide": spec.guide
        or "登录\u201c皖企通\u201d或到市政务服务中心惠企政策窗口提交申请表、营业执照、相关证明材料；"
        "主管部门受理后10个工作日内完成审核，审核通过后按程序拨付。",
        "apply_deadline": spec.deadline or "常年受理",
        "contact_office": spec.office,
        "contact_phone": PHONE.format(20000 + index * 37),
        # The city's departments receive at the city's service centre; a county or park at its own.
        "contact_address": "淮南市山南新区市政务服务中心"
        if spec.org_unit == data.CITY_CODE or spec.org_unit.startswith("dept-")
        else "",
        "eligibility": spec.tree(year, codes) if spec.tree is not None else None,
    }
    return out


def policies_ensure(*, year: int, result: LoadResult) -> dict[str, Policy]:
    """The demo policies, created and brought to their status where missing; by title."""
    existing = {p.title: p for p in Policy.objects.filter(title__in=[s.title for s in POLICIES])}
    codes = industry_codes()
    out: dict[str, Policy] = {}
    expire = False
    for index, spec in enumerate(POLICIES):
        policy = existing.get(spec.title)
        if policy is None:
            policy = services.policy_create(
                acting_user=None, data=PolicyInput.parse(policy_input(spec, year=year, codes=codes, index=index))
            )
            result.add("policies")
            if spec.status != "draft":
                # Published on its first day, as it was (an expired one too).
                start = dt.date.fromisoformat(str(_day(year, spec.valid_from)))
                services.policy_transition(acting_user=None, policy=policy, action="publish", today=start)
            if spec.status == "withdrawn":
                services.policy_transition(acting_user=None, policy=policy, action="withdraw", reason=spec.reason)
            expire = expire or spec.status == "expired"
        out[spec.title] = policy
    if expire:
        services.expire_policies(today=dt.date(year, 1, 1))
    return out
