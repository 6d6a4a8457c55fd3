"""Excel import and export of talents (issue 13 item 1), on ``zhaoyin.core.importing``.

Import: upsert on the blind index of the ID number (IMP-02). A number not yet registered
creates a talent; a registered one updates it — every column overwrites the stored value.
Each row is judged by the input model and ``services.judge_talent``, the same verdicts as
the form and the API (VAL-01); the same ID number twice in one file is an error on both rows
(IMP-03). Scope: a row may create in, move to, or change a talent of a unit the importing
user may edit; a registered ID outside the user's scope is an error. The rows are written
through the services (one audit record per talent, the ID and phone never in it).

Export: the list page's rows (the same scoped selector and filters), the template's columns.
ID numbers and phones are masked, unless the talent office asks for them in full — an
unmasked export is audited as such (``talent.export`` with ``unmasked``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.errors import Errors, InvalidInput
from zhaoyin.core.export_pages import timestamped_filename
from zhaoyin.core.importing import Column, ImportSpec, RowError, RowInvalid, RowResult, Verdict, cell_as_input
from zhaoyin.core.models import ImportBatch
from zhaoyin.lib.idcard import normalise
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.talents import selectors, services
from zhaoyin.talents.crypto import decrypt_id, decrypt_phone
from zhaoyin.talents.filters import TalentFilter
from zhaoyin.talents.inputs import TALENT_FIELDS, TalentInput, TalentUpdateInput
from zhaoyin.talents.models import Channel, Education, IdType, Sex, Talent, Title
from zhaoyin.talents.validation import TalentLookups

#: The template's columns, in order (Chinese headers; the English keys are accepted too).
TALENT_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", required=True, width=12),
    Column("id_type", "证件类型", "id_type", width=16),
    Column("id_number", "证件号码", "id_number", required=True, identifier=True, width=22),
    Column("birth_date", "出生日期", "birth_date", width=12),
    Column("sex", "性别", "sex", width=6),
    Column("education", "学历", "education", width=8),
    Column("school", "毕业院校", "school", width=20),
    Column("major", "专业", "major", width=16),
    Column("title", "职称", "title", width=8),
    Column("employer", "用人单位信用代码", "employer", identifier=True, width=22),
    Column("employer_name", "用人单位名称", "employer_name", width=24),
    Column("org_unit", "所属单位代码", "org_unit", required=True, identifier=True, width=12),
    Column("industry", "行业", "industry", width=14),
    Column("arrival_date", "来淮日期", "arrival_date", width=12),
    Column("channel", "引才渠道", "channel", width=14),
    Column("station", "人才工作站代码", "station", identifier=True, width=12),
    Column("phone", "手机号码", "phone", identifier=True, width=14),
    Column("email", "电子邮箱", "email", width=20),
    Column("contract_start", "劳动合同起始", "contract_start", width=12),
    Column("contract_end", "劳动合同终止", "contract_end", width=12),
    Column("social_insurance_months", "本市社保月数", "social_insurance_months", width=10),
)
IDENTIFIER_INDEXES = frozenset(i for i, c in enumerate(TALENT_COLUMNS) if c.identifier)

#: The Chinese words a spreadsheet uses for each choice, beside the codes.
ALIASES: dict[str, dict[str, str]] = {
    "id_type": {
        "居民身份证": IdType.RESIDENT, "身份证": IdType.RESIDENT, "护照": IdType.PASSPORT,
        "港澳台居民居住证": IdType.HMT_RESIDENCE, "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
    },
    "sex": {"男": Sex.MALE, "女": Sex.FEMALE},
    "education": {
        "博士": Education.DOCTORATE, "博士研究生": Education.DOCTORATE, "硕士": Education.MASTER,
        "硕士研究生": Education.MASTER, "本科": Education.BACHELOR, "大专": Education.COLLEGE, "其他": Education.OTHER,
    },
    "title": {
        "正高级": Title.SENIOR, "正高": Title.SENIOR, "副高级": Title.ASSOCIATE, "副高": Title.ASSOCIATE,
        "中级": Title.INTERMEDIATE, "初级": Title.JUNIOR, "无": Title.NONE,
    },
    "channel": {
        "驻长三角人才工作站": Channel.STATION, "人才工作站": Channel.STATION, "G60人才飞地": Channel.ENCLAVE,
        "人才飞地": Channel.ENCLAVE, "校园招聘": Channel.CAMPUS, "以才引才": Channel.REFERRAL,
        "企业自主引进": Channel.EMPLOYER, "其他": Channel.OTHER,
    },
}
#: The word each choice code is exported as (the first alias of each code).
LABELS: dict[str, dict[str, str]] = {
    name: {str(code): word for word, code in reversed(list(words.items()))} for name, words in ALIASES.items()
}
CHUNK = 1000


def _row_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A row's cells as the input model takes them (choices' Chinese words as their codes)."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        value = cell_as_input(value)
        if key in ALIASES and isinstance(value, str):
            value = ALIASES[key].get(value.strip(), value)
        values[key] = value
    return values


class TalentImport(ImportSpec):
    """The talent import: upsert on the ID number's blind index within the importer's scope."""

    kind = "talent"
    columns = TALENT_COLUMNS
    key_column = "id_number"

    def __init__(self, user: User | None) -> None:
        # ``None`` is the command line's system import (``zhaoyin talents import``).
        super().__init__(user)  # type: ignore[arg-type]
        self.lookups = TalentLookups()

    def prepare(self) -> None:
        self.lookups = TalentLookups.load(self.user)

    def normalize_key(self, raw: Any) -> str:
        return normalise(raw) if isinstance(raw, str) else ""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values = _row_values(raw)
        try:
            data = TalentInput.parse(values)
        except InvalidInput as exc:
            raise RowInvalid([(e["field"], e["message"]) for e in exc.errors]) from None
        errors = Errors()
        given = data.values()
        cleaned = services.judge_talent(
            talent=None, values=given, lookups=self.lookups, errors=errors, check_duplicate=False
        )
        if errors:
            raise RowInvalid([(e["field"], e["message"]) for e in errors.errors])
        return {"values": {k: values.get(k) for k in TALENT_FIELDS if k in values}, "index": cleaned["id_index"]}

    def classify(self, rows: list[RowResult]) -> None:
        """Match rows to stored talents by the blind index (locked where the database can),
        then judge each in the importer's scope."""
        indexes = [r.cleaned["index"] for r in rows if r.cleaned is not None]
        existing: dict[str, Talent] = {}
        lock = connection.in_atomic_block and connection.features.has_select_for_update
        for start in range(0, len(indexes), CHUNK):
            qs = Talent.objects.filter(id_index__in=indexes[start : start + CHUNK]).select_related("org_unit")
            if lock:
                qs = qs.select_for_update(of=("self",))
            existing.update((t.id_index, t) for t in qs)
        for row in rows:
            assert row.cleaned is not None
            current = existing.get(row.cleaned["index"])
            if current is None:
                row.verdict = Verdict.CREATE
                continue
            if self.user is not None and not selectors.can_edit_talent(self.user, current):
                reason = _("A talent with this ID number exists outside your scope.")
                row.errors.append(RowError(row.row_number, self.label("id_number"), reason))
                continue
            errors = Errors()
            data = TalentUpdateInput.parse(row.cleaned["values"])
            lookups = self.lookups
            if current.org_unit.code not in lookups.units:
                lookups = TalentLookups(
                    user=lookups.user, units={**lookups.units, current.org_unit.code: current.org_unit},
                    stations=lookups.stations, industries=lookups.industries,
                )
            cleaned = services.judge_talent(talent=current, values=data.values(), lookups=lookups, errors=errors)
            if errors:
                row.errors.extend(RowError(row.row_number, self.label(e["field"]), e["message"]) for e in errors.errors)
                continue
            changes = {k: v for k, v in cleaned.items() if k not in ("id_number_enc",) and getattr(current, k) != v}
            row.target = current
            row.changes = {k: "" for k in changes}
            row.verdict = Verdict.UPDATE if changes else Verdict.UNCHANGED

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Each row through its service (one audit record per talent, no PII in it)."""
        for row in rows:
            assert row.cleaned is not None
            values = row.cleaned["values"]
            if row.verdict == Verdict.CREATE:
                services.talent_create(acting_user=self.user, data=TalentInput.parse(values), lookups=self.lookups)
            elif row.verdict == Verdict.UPDATE:
                talent = row.target
                lookups = TalentLookups.load(self.user, keep=talent.org_unit)
                services.talent_update(
                    acting_user=self.user, talent=talent, data=TalentUpdateInput.parse(values), lookups=lookups
                )


# --------------------------------------------------------------------------- template and export


def _row(t: Talent, *, unmasked: bool) -> list[Any]:
    """One talent in template column order; the ID and phone masked unless ``unmasked``."""
    number = decrypt_id(t.id_number_enc) if unmasked else t.id_masked
    phone = (decrypt_phone(t.phone_enc) if t.phone_enc else "") if unmasked else t.phone_masked
    return [
        t.name, LABELS["id_type"].get(t.id_type, t.id_type), number, t.birth_date,
        LABELS["sex"].get(t.sex, t.sex), LABELS["education"].get(t.education, t.education), t.school, t.major,
        LABELS["title"].get(t.title, t.title), t.employer.uscc if t.employer else None, t.employer_name,
        t.org_unit.code, t.industry.name if t.industry else None, t.arrival_date,
        LABELS["channel"].get(t.channel, t.channel), t.station.code if t.station else None, phone, t.email,
        t.contract_start, t.contract_end, t.social_insurance_months,
    ]


def talent_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes], unmasked: bool = False) -> int:
    """Write the user's scoped, filtered talent list to ``out``; return the row count.
    ``unmasked`` (the talent office only, else ``PermissionDenied``) writes the ID numbers and
    phones in full. Bad filters raise ``InvalidInput`` before anything is written. Audited
    ("talent.export": the filter, the count, whether unmasked) after the file is built."""
    if unmasked and not acting_user.has_role(*selectors.UNMASKED_EXPORT_ROLES):
        from django.core.exceptions import PermissionDenied

        from zhaoyin.audit.services import audit_denied

        audit_denied(user=acting_user, action="talent.export_denied", target="unmasked export")
        raise PermissionDenied
    flt = TalentFilter.parse(params)
    qs = flt.apply(selectors.talent_list_visible_to(acting_user))

    def rows() -> Iterator[list[Any]]:
        for talent in qs.iterator(chunk_size=2000):
            yield _row(talent, unmasked=unmasked)

    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Talents"),
                headers=[c.label for c in TALENT_COLUMNS],
                rows=rows(),
                text_columns=IDENTIFIER_INDEXES,
                widths=[c.width for c in TALENT_COLUMNS],
            )
        ],
    )
    filters = {k: v for k, v in flt.params.items() if k != "id_number"}
    audit_write(
        action="talent.export",
        user=acting_user,
        object_type="talents.talent",
        detail=json.dumps({"filter": filters, "rows": count, "unmasked": unmasked}, sort_keys=True),
    )
    return count


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Talents"))


def talent_import_template() -> bytes:
    """The template: headers, one example row, identifier columns as text."""
    example = [
        "示例人才", "居民身份证", "11010519491231002X", None, None, "博士", "安徽理工大学", "采矿工程", "副高级",
        None, "淮南师范学院", "340400", None, None, "企业自主引进", None, "13800000000", None, None, None, 0,
    ]
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Talents"),
                headers=[c.label for c in TALENT_COLUMNS],
                rows=[example],
                text_columns=IDENTIFIER_INDEXES,
                widths=[c.width for c in TALENT_COLUMNS],
                blank_text_rows=500,
            )
        ],
    )
    return out.getvalue()
