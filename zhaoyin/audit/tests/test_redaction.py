"""三员分立 in the audit log (issue 12 D4, AC-05, AUD-02, PII-02): a business record's
values are not kept, only its changed field names and ids (and the allow-listed process
fields); personal names are masked wherever the 三员 read; the auditor's pages and export
follow the same rule for records written before it existed."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhaoyin.accounts.models import User
from zhaoyin.audit import services as audit_services
from zhaoyin.audit.chain import verify_chain
from zhaoyin.audit.models import AuditRecord
from zhaoyin.audit.redaction import WITHHELD, for_reader, is_business, withhold
from zhaoyin.audit.services import audit_write
from zhaoyin.catalog.models import CatalogItem
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.masking import mask_name, mask_value
from zhaoyin.matters.models import Matter
from zhaoyin.payouts.models import Payout
from zhaoyin.policies.models import Policy
from zhaoyin.projects.models import Project
from zhaoyin.visits.models import Visit

pytestmark = pytest.mark.django_db
BACKEND = "zhaoyin.accounts.backends.ZhaoyinBackend"


def test_PII_02_D4_name_mask() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("张晓明") == "张*明"
    assert mask_name("欧阳明远") == "欧**远"
    assert mask_name("李") == "*"
    assert mask_name(mask_name("张晓明")) == "张*明"
    assert mask_value("full_name", "王小红") == "王*红"
    assert mask_value("legal_representative", "董涛") == "董*"
    assert mask_value("name", "安徽某某有限公司") == "安徽某某有限公司"  # not a person's name


def test_AC_05_D4_business_values_withheld_ids_and_process_fields_kept() -> None:
    after = {
        "id": 7, "name": "安徽汉邦日化有限公司", "uscc": "913404226839484737", "legal_representative": "董涛",
        "org_unit": 12, "industry": 5, "employees": 1019, "version": 3, "created_at": "2026-01-02T03:04:05+00:00",
        "address": "", "founded_on": None, "qualifications": [],
    }
    kept = withhold("enterprises.enterprise", after)
    assert kept == {
        "id": 7, "name": WITHHELD, "uscc": WITHHELD, "legal_representative": WITHHELD,
        "org_unit": 12, "industry": 5, "employees": WITHHELD, "version": 3,
        "created_at": "2026-01-02T03:04:05+00:00", "address": "", "founded_on": None, "qualifications": [],
    }
    payout = withhold("policies.payout", {"amount_wan": "474.00", "status": "approved", "enterprise": 94,
                                          "policy": 5, "period": "2026-Q1", "decision_note": "审核通过"})
    assert payout == {"amount_wan": WITHHELD, "status": "approved", "enterprise": 94, "policy": 5,
                      "period": "2026-Q1", "decision_note": WITHHELD}
    export = withhold("enterprises.enterprise", {"filter": {"q": "汉邦", "org_unit": "340402"}, "rows": 3})
    assert export == {"filter": {"q": WITHHELD, "org_unit": "340402"}, "rows": 3}
    # A new app is business data until it is listed as security administration.
    assert is_business("talents.talent")
    assert not is_business("accounts.user")
    assert not is_business("url")


def test_AC_05_D4_security_admin_records_keep_values_with_names_masked() -> None:
    kept = withhold("accounts.user", {"username": "zhang", "full_name": "张晓明", "phone": "13812345678",
                                      "roles": ["staff"], "is_active": True})
    assert kept == {"username": "zhang", "full_name": "张*明", "phone": "138****5678",
                    "roles": ["staff"], "is_active": True}


def test_AC_05_D4_audit_write_stores_field_names_not_values() -> None:
    rec = audit_write(
        action="enterprise.update", object_type="enterprises.enterprise", object_id="7",
        object_repr="安徽汉邦日化有限公司", before={"name": "旧名称", "version": 1},
        after={"name": "新名称", "version": 2}, detail="改名：旧名称 → 新名称",
    )
    rec.refresh_from_db()
    assert rec.before == {"name": WITHHELD, "version": 1}
    assert rec.after == {"name": WITHHELD, "version": 2}
    assert rec.object_repr == ""
    assert rec.detail == WITHHELD
    assert "名称" not in json.dumps([rec.before, rec.after], ensure_ascii=False)
    assert verify_chain().ok  # withheld before hashing: the chain is over what is stored


def test_AC_05_D4_records_written_before_the_rule_are_withheld_when_read(
    client: Client, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old record keeps its stored JSON (the chain hashes it); the auditor still does not
    read its values on the detail page, in the list or in the export."""
    with monkeypatch.context() as m:
        m.setattr(audit_services, "minimise", lambda fields: fields)
        old = audit_write(
            action="payout.register", object_type="policies.payout", object_id="3", object_repr="某某公司 474.00",
            after={"amount_wan": "98765.43", "status": "pending", "note": "依据审计报告核定"},
        )
    assert (old.after or {})["amount_wan"] == "98765.43"
    assert for_reader(old).after == {"amount_wan": WITHHELD, "status": "pending", "note": WITHHELD}
    client.force_login(make_user("auditor"), backend=BACKEND)
    pages = [
        client.get(reverse("audit:detail", args=[old.pk])).content.decode(),
        client.get(reverse("audit:list"), {"object_type": "policies.payout"}).content.decode(),
        _export_text(client, {"object_type": "policies.payout"}),
    ]
    for page in pages:
        for value in ("98765.43", "某某公司", "依据审计报告核定"):
            assert value not in page
    assert "amount_wan" in pages[0]  # the field name is shown


def _export_text(client: Client, params: dict[str, str] | None = None) -> str:
    response = client.get(reverse("audit:export"), params or {})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]
    cells: list[str] = []
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells.extend(str(v) for v in row if v is not None)
    return "\n".join(cells)


def _demo_values() -> set[str]:
    """Business values of the demo a reader of the audit log must not meet."""
    values: set[str] = set()
    for e in Enterprise.objects.all():
        values |= {e.name, e.uscc, e.legal_representative, e.address}
    for p in Project.objects.all():
        values |= {p.name, p.investor_name, str(p.total_investment_wan), p.construction_content}
    for pay in Payout.objects.all():
        values |= {str(pay.amount_wan), pay.note, pay.decision_note}
    for pol in Policy.objects.all():
        values |= {pol.title, pol.benefits}
    for v in Visit.objects.all():
        values |= {v.notes, v.enterprise_contact}
    for item in CatalogItem.objects.all():
        values |= {item.name, item.contact_person}
    for mt in Matter.objects.all():
        values |= {mt.title, mt.description}
    # Other accounts' names (the signed-in auditor's own is in the top bar).
    for u in User.objects.exclude(full_name="").exclude(username="demo_auditor"):
        values.add(u.full_name)
    # Short values could match unrelated text: a two-character name, or an amount of fewer
    # than three whole digits (a time's "51.00" …). Three-character names are checked.
    return {v for v in values if len(v) >= (6 if re.fullmatch(r"[\d.]+", v) else 3)}


def test_AC_05_D4_auditor_reads_no_business_value_of_the_demo(client: Client, load_demo: Any) -> None:
    load_demo()
    values = _demo_values()
    assert len(values) > 500
    amounts = {str(p.amount_wan) for p in Payout.objects.all()}
    assert amounts & values
    assert {e.legal_representative for e in Enterprise.objects.all()} & values
    client.force_login(User.objects.get(username="demo_auditor"), backend=BACKEND)

    def leaks(text: str) -> list[str]:
        return sorted(v for v in values if v in text)

    first = client.get(reverse("audit:list"), {"page_size": "100"})
    assert first.status_code == 200
    pages = first.context["page_obj"].paginator.num_pages
    for number in range(1, pages + 1):
        body = client.get(reverse("audit:list"), {"page_size": "100", "page": str(number)}).content.decode()
        assert not leaks(body), f"audit list page {number}"
    # The detail of one record of every kind (object type and action).
    kinds: dict[tuple[str, str], int] = {}
    for pk, object_type, action in AuditRecord.objects.order_by("id").values_list("pk", "object_type", "action"):
        kinds.setdefault((object_type, action), pk)
    assert len(kinds) > 20
    for (object_type, action), pk in kinds.items():
        body = client.get(reverse("audit:detail", args=[pk])).content.decode()
        assert not leaks(body), f"audit record {pk} ({object_type} {action})"
    # The changed field names stay readable.
    created = client.get(reverse("audit:detail", args=[kinds[("enterprises.enterprise", "enterprise.create")]]))
    assert "legal_representative" in created.content.decode()
    assert "uscc" in created.content.decode()
    export = _export_text(client)
    assert export.count("\n") > 1000
    found = leaks(export)
    assert not found, [export[max(0, export.index(v) - 80):export.index(v) + 40] for v in found][:5]
    # What the auditor is there for is still there: who did what to which record.
    assert "enterprises.enterprise" in export
    assert "payout.approve" in export


# --------------------------------------------------------------- export filters (issue 16 item 2)
#: Filter parameters whose values may carry personal data or free text: withheld.
FREE_TEXT_FILTER_PARAMS = frozenset({"q", "id_number"})


def _filter_sets() -> list[type[Any]]:
    """Every list's FilterSet (each app's filters module, imported by name)."""
    import importlib
    import pkgutil

    import zhaoyin
    from zhaoyin.core.filtering import FilterSet

    # Every module with "filters" in its name (filters.py, filters_runs.py, input_filters.py …).
    for info in pkgutil.walk_packages(zhaoyin.__path__, "zhaoyin."):
        if "filters" in info.name.rpartition(".")[2] and ".tests" not in info.name:
            importlib.import_module(info.name)

    def walk(cls: type[Any]) -> list[type[Any]]:
        return [s for sub in cls.__subclasses__() for s in (sub, *walk(sub))]

    return [fs for fs in walk(FilterSet) if ".tests" not in fs.__module__]


def test_AUD_02_export_filter_codes_stay_readable() -> None:
    """Round one found ``alert`` and ``quarter`` written as *** in export records: every
    filter parameter that is a code keeps its value; only free text and personal data go."""
    from zhaoyin.core.filtering import Integer

    # A sample value of each parameter: digits for an integer (an id, a year), else a code.
    params = {
        p: "12" if isinstance(f, Integer) else "overdue"
        for fs in _filter_sets() for f in fs.filters.values() for p in f.params
    }
    assert {"alert", "quarter", "q", "state"} <= params.keys()
    for param, value in sorted(params.items()):
        if param in FREE_TEXT_FILTER_PARAMS:
            continue
        kept = withhold("matters.matter", {"filter": {param: value}})
        assert kept == {"filter": {param: value}}, param
    for param in FREE_TEXT_FILTER_PARAMS:
        assert withhold("talents.talent", {"filter": {param: "张三"}}) == {"filter": {param: WITHHELD}}


def test_AUD_02_export_filter_ids_kept_only_as_digits() -> None:
    kept = withhold("payouts.payout", {"filter": {"enterprise": "42", "talent": "张三", "sort": "-applied_at"}})
    assert kept == {"filter": {"enterprise": "42", "talent": WITHHELD, "sort": "-applied_at"}}
    detail = json.dumps({"filter": {"alert": "overdue", "quarter": "2026Q4"}, "rows": 2})
    assert json.loads(for_reader(AuditRecord(object_type="matters.matter", detail=detail)).detail) == {
        "filter": {"alert": "overdue", "quarter": "2026Q4"}, "rows": 2,
    }
