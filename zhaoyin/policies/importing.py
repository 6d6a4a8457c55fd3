"""Excel import of policies, on the generic framework of ``zhaoyin.core.importing``.

One row per policy. The optional 编号 column is the policy's id: a row with one updates that
policy (it must be one the importing user may change, and not expired or withdrawn; an id
that is not — or does not exist — gets one message, so the file learns nothing about other
units' drafts). A row without one registers a draft — unless a policy the user may change
already has the same title and document number: then the row is taken as that policy, so
importing the same file twice changes nothing the second time.

The 适用条件 (eligibility) column holds the tree as JSON; blank leaves the policy without one
(a draft to complete in the editor). Every row is built into ``PolicyInput`` and cleaned by ``policy_values`` (VAL-01);
a bad tree node is reported in that column with its path. Writes go through the services,
each with its own audit record, inside the framework's one transaction: a failed import
commits nothing.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import (
    Column,
    ImportSpec,
    RowError,
    RowInvalid,
    RowResult,
    Verdict,
    cell_as_input,
    mark_repeats,
)
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.models import ImportBatch
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.policies import flow, selectors, services
from zhaoyin.policies.inputs import PolicyInput, PolicyUpdateInput
from zhaoyin.policies.models import Beneficiary, Delivery, Policy, PolicyCategory, PolicyLevel
from zhaoyin.policies.services import policy_values
from zhaoyin.policies.validation import PLACE_UNIT_KINDS, policy_vocabulary
from zhaoyin.talents.facts import talent_vocabulary

POLICY_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", "id", width=8),
    Column("title", "政策名称", "title", required=True, width=36),
    Column("issuer", "发文单位", "issuer", required=True, width=20),
    Column("doc_no", "文号", "doc_no", identifier=True, width=20),
    Column("level", "层级", "level", required=True, width=10),
    Column("category", "类别", "category", required=True, width=10),
    Column("delivery", "兑现方式", "delivery", width=12),
    Column("beneficiary", "受益对象", "beneficiary", width=10),
    Column("org_unit", "管理单位代码", "org_unit", identifier=True, width=14),
    Column("valid_from", "生效日期", "valid_from", required=True, width=12),
    Column("valid_to", "失效日期", "valid_to", width=12),
    Column("summary", "政策摘要", "summary", width=36),
    Column("benefits", "支持内容", "benefits", required=True, width=40),
    Column("max_amount_wan", "最高金额(万元)", "max_amount_wan", width=12),
    Column("application_guide", "申报指南", "application_guide", width=40),
    Column("apply_deadline", "申报时间", "apply_deadline", width=14),
    Column("contact_office", "联系科室", "contact_office", width=16),
    Column("contact_phone", "联系电话", "contact_phone", identifier=True, width=14),
    Column("contact_address", "地址", "contact_address", width=20),
    Column("eligibility", "适用条件(JSON)", "eligibility", width=60),
)
DATA_KEYS = tuple(c.key for c in POLICY_COLUMNS if c.key != "id")
TEXT_INDEXES = frozenset(i for i, c in enumerate(POLICY_COLUMNS) if c.identifier)



def _row_errors(exc: InvalidInput) -> list[tuple[str, str]]:
    """Service errors as (column key, reason); a tree node's error names its path."""
    out = []
    for e in exc.errors:
        field = e["field"]
        if field.startswith(("eligibility.", "eligibility[")):
            out.append(("eligibility", f"{field}: {e['message']}"))
        else:
            out.append((field, e["message"]))
    return out


class PolicyImport(ImportSpec):
    """The policy import: update by id, create without one, within the user's units."""

    kind: ClassVar[str] = "policy"
    columns: ClassVar[tuple[Column, ...]] = POLICY_COLUMNS
    key_column: ClassVar[str] = "id"

    def __init__(self, user: User) -> None:
        super().__init__(user)
        # The dictionaries every row's tree is checked against, loaded once per file.
        self.vocab = policy_vocabulary()
        self.vocabs = {Beneficiary.ENTERPRISE.value: self.vocab, Beneficiary.TALENT.value: talent_vocabulary()}

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        data = {key: cell_as_input(raw.get(key)) for key in DATA_KEYS}
        if data.get("org_unit") in (None, ""):
            del data["org_unit"]  # the service's default: the user's unit, or the city
        try:
            # The row is judged by the input model (each value), then its unit and its tree
            # against the dictionaries loaded once for the file.
            values = policy_values(PolicyInput.parse(data), vocabs=self.vocabs)
        except InvalidInput as exc:
            raise RowInvalid(_row_errors(exc)) from None
        key = str(cell_as_input(raw.get("id")) or "").strip()
        pk = positive_int(key)
        if key and pk is None:
            raise RowInvalid([("id", _("must be a policy id (a whole number)"))])
        if values.get("eligibility") == {}:
            # A blank conditions cell leaves the policy's conditions as they are (the page says
            # "leave it blank to add them later"); a new policy starts without any.
            data.pop("eligibility", None)
            values.pop("eligibility", None)
        # The services' inputs for either verdict: a new policy, or the row's fields as a change.
        # A blank 受益对象 leaves a stored policy's beneficiary as it is (a file from before the
        # column existed must not turn a talent policy into an enterprise one).
        change = {k: v for k, v in data.items() if not (k == "beneficiary" and v in (None, ""))}
        return {
            "id": pk,
            "create": PolicyInput.parse(data),
            "update": PolicyUpdateInput.parse(change),
            "values": values,
        }

    def _editable(self) -> Any:
        return selectors.policy_list_visible_to(self.user).filter(status__in=[s.value for s in flow.EDITABLE])

    def classify(self, rows: list[RowResult]) -> None:
        user = self.user
        ids = sorted({r.cleaned["id"] for r in rows if r.cleaned and r.cleaned["id"]})
        by_id = {p.pk: p for p in self._editable().filter(pk__in=ids) if selectors.can_edit_policy(user, p)}
        natural: dict[tuple[str, str], list[RowResult]] = defaultdict(list)
        for r in rows:
            assert r.cleaned is not None
            if r.cleaned["id"] is None:
                v = r.cleaned["values"]
                natural[(v["title"], v.get("doc_no", ""))].append(r)
        # (Two rows with one id are already refused by the framework: ``id`` is the key column.)
        # Rows without an id find their policy by title and document number: one query.
        titles = sorted({key[0] for key in natural})
        by_name: dict[tuple[str, str], Policy] = {}
        for p in self._editable().filter(title__in=titles).order_by("pk"):
            if selectors.can_edit_policy(user, p):
                by_name.setdefault((p.title, p.doc_no), p)
        mark_repeats(
            natural.values(),
            self.label("title"),
            lambda others: _("the same policy (title and document number) also appears in row(s) %(rows)s")
            % {"rows": others},
        )
        for r in rows:
            assert r.cleaned is not None
            if r.errors:
                continue
            values = r.cleaned["values"]
            unit: OrgUnit | None = values.get("org_unit")
            if unit is not None and not selectors.can_keep_policy_in(user, unit):
                r.errors.append(
                    RowError(r.row_number, self.label("org_unit"), _("you may not register policies in this org unit"))
                )
                continue
            target: Policy | None
            if r.cleaned["id"] is not None:
                target = by_id.get(r.cleaned["id"])
                if target is None:
                    r.errors.append(
                        RowError(r.row_number, self.label("id"), _("unknown policy, or not one you may change"))
                    )
                    continue
            else:
                target = by_name.get((values["title"], values.get("doc_no", "")))
                if target is None:
                    r.verdict = Verdict.CREATE
                    continue
            r.compare(target, values)

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Create or update each row through the policy services (each audits itself)."""
        for r in rows:
            assert r.cleaned is not None
            if r.verdict == Verdict.CREATE:
                services.policy_create(acting_user=self.user, data=r.cleaned["create"])
            elif r.verdict == Verdict.UPDATE:
                services.policy_update(acting_user=self.user, policy=r.target, data=r.cleaned["update"])


def _code_rows(user: User) -> Iterator[list[Any]]:
    from zhaoyin.enterprises.models import Industry, Qualification

    for unit in selectors.keeper_units_for(user):
        yield [_("Kept by"), unit.code, unit.name]
    choice_sets = (
        (_("Level"), PolicyLevel), (_("Category"), PolicyCategory), (_("Delivery"), Delivery),
        (_("Beneficiary"), Beneficiary),
    )
    for kind, choices in choice_sets:
        for value, label in choices.choices:
            yield [kind, value, str(label)]
    for industry in Industry.objects.order_by("sort_order", "code"):
        yield [_("Industry (in conditions)"), industry.code, industry.name]
    for place in OrgUnit.objects.filter(is_active=True, kind__in=PLACE_UNIT_KINDS).order_by("path"):
        yield [_("Org unit (in conditions)"), place.code, place.name]
    for q in Qualification.objects.order_by("sort_order", "name"):
        yield [_("Qualification (in conditions)"), q.name, q.name]


EXAMPLE_TREE = (
    '{"all":[{"field":"size_class","op":"eq","value":"above"},'
    '{"figure":"revenue_wan","year":2025,"op":"gte","value":2000},{"qualification":"高新技术企业"}]}'
)


def policy_import_template(user: User) -> bytes:
    """The template: the headers, text-formatted identifier columns, a sheet of codes and an
    example of the eligibility JSON."""
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Policies"),
                headers=[c.label for c in POLICY_COLUMNS],
                rows=[],
                text_columns=TEXT_INDEXES,
                widths=[c.width for c in POLICY_COLUMNS],
                blank_text_rows=200,
            ),
            SheetSpec(
                title=_("Codes"),
                headers=[_("Kind"), _("Code"), _("Name")],
                rows=[*_code_rows(user), [_("Eligibility example"), EXAMPLE_TREE, ""]],
                text_columns=frozenset({1}),
                widths=(24, 40, 36),
            ),
        ],
    )
    return out.getvalue()
