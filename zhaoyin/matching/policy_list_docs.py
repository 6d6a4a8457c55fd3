"""The tailored 政策服务清单 of one enterprise, as PDF (WeasyPrint) and Word (python-docx).

The list is what a service group hands over on a visit: the enterprise (name, credit code,
unit, industry, size class, service group) and the date; every in-force policy the matcher
finds *eligible*, then every one *possibly eligible*, each with its issuer, level, document
number, validity, how it is delivered (免申即享 …), the benefits, every condition with
✓ / ✗ / ? and the reason, the data still missing (possible ones), how and when to apply and
whom to call; and a closing block with the service group's contact (its leader when the group
has members, else the enterprise's unit).

Both documents are Chinese print products, rendered under zh-hans whatever the reader's UI
language. The PDF names "Noto Sans CJK SC" in every box that draws text (platform-notes); the
Word file sets the East Asian font on every run (``w:eastAsia``), A4 with page numbers.

``policy_list_export`` is the use case the pages and the API call: it builds one of the two
documents and audits the export ("policy_list.export").
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, ServiceGroupMembership, User
from zhaoyin.audit.services import audit_write
from zhaoyin.core import gongwen
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib import eligibility as engine
from zhaoyin.matching import verdicts
from zhaoyin.matching.selectors import missing_data
from zhaoyin.policies.eligibility_text import words
from zhaoyin.policies.models import Policy

#: What a 免申即享 policy says instead of an application guide (issue 15): nobody applies.
NO_APPLICATION_TEXT = gettext_lazy(
    "No application: the office compares the data it holds, registers the eligible enterprises, and each "
    "confirms in its portal (免申即享)."
)

LANGUAGE = "zh-hans"
STYLESHEET = "css/policy-list.css"
FORMATS = ("pdf", "docx")
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The marks of a condition's result, as printed.
MARKS: dict[int, str] = {engine.MET: "✓", engine.UNMET: "✗", engine.UNKNOWN: "?"}
#: Body and heading fonts of the Word file: what a government office's Word has.
DOCX_FONT, DOCX_HEADING_FONT = "宋体", "黑体"


@dataclass(frozen=True)
class ConditionLine:
    """One condition of a policy judged for the enterprise."""

    mark: str
    result: str  # met / unmet / unknown
    label: str
    reason: str


@dataclass(frozen=True)
class PolicyEntry:
    """One policy of the list with its judged conditions and the data still missing."""

    number: int
    policy: Policy
    verdict: str  # eligible / possible
    conditions: list[ConditionLine]
    missing: list[str]

    @property
    def validity(self) -> str:
        start = self.policy.valid_from.strftime("%Y年%m月%d日")
        end = self.policy.valid_to.strftime("%Y年%m月%d日") if self.policy.valid_to else _("until further notice")
        return f"{start} — {end}"


@dataclass
class Contact:
    """Whom the enterprise calls: the service group (its leader) or the unit."""

    unit: str
    person: str = ""
    phone: str = ""
    members: list[str] = field(default_factory=list)


@dataclass
class PolicyList:
    """Everything the two documents show."""

    enterprise: Enterprise
    made_on: date
    eligible: list[PolicyEntry]
    possible: list[PolicyEntry]
    contact: Contact

    @property
    def title(self) -> str:
        return _("Policy service list")

    @property
    def size_class(self) -> str:
        return str(self.enterprise.get_size_class_display())


def _contact(enterprise: Enterprise) -> Contact:
    group: OrgUnit | None = enterprise.service_group
    if group is None:
        return Contact(unit=enterprise.org_unit.name)
    memberships = list(
        ServiceGroupMembership.objects.filter(group=group, user__is_active=True)
        .select_related("user")
        .order_by("-is_leader", "added_at", "pk")
    )

    def name(user: User) -> str:
        return user.full_name or user.username

    contact = Contact(unit=group.name, members=[name(m.user) for m in memberships])
    leader = next((m.user for m in memberships if m.is_leader), None)
    if leader is not None:
        contact.person, contact.phone = name(leader), leader.phone
    return contact


def _conditions(explanation: engine.Explanation) -> list[ConditionLine]:
    return [
        ConditionLine(
            mark=MARKS[c.result], result=engine.RESULT_NAMES[c.result], label=words(c.label), reason=words(c.reason)
        )
        for c in explanation.conditions
    ]


def policy_list_build(enterprise: Enterprise) -> PolicyList:
    """The list's content for ``enterprise`` (already fetched through its scoped selector):
    eligible policies, then possible ones, each by title (the matcher's order)."""
    with translation.override(LANGUAGE):
        enterprise = Enterprise.objects.select_related("org_unit", "industry", "service_group").get(pk=enterprise.pk)
        eligible: list[PolicyEntry] = []
        possible: list[PolicyEntry] = []
        for item in verdicts.explain_enterprise(enterprise, include_ineligible=False):
            lines = _conditions(item.explanation)
            target = eligible if item.explanation.verdict == engine.MET else possible
            target.append(
                PolicyEntry(
                    number=0,
                    policy=item.policy,
                    verdict=item.verdict,
                    conditions=lines,
                    missing=missing_data(item.explanation),
                )
            )
        numbered = [
            PolicyEntry(n, e.policy, e.verdict, e.conditions, e.missing)
            for n, e in enumerate([*eligible, *possible], start=1)
        ]
        return PolicyList(
            enterprise=enterprise,
            made_on=timezone.localdate(),
            eligible=numbered[: len(eligible)],
            possible=numbered[len(eligible) :],
            contact=_contact(enterprise),
        )


# ---- PDF ----------------------------------------------------------------------------------------


def policy_list_html(data: PolicyList) -> str:
    """The PDF's HTML (zh-hans)."""
    with translation.override(LANGUAGE):
        return render_to_string("policies/policy_list_pdf.html", {"data": data, "stylesheet": STYLESHEET})


def policy_list_pdf(data: PolicyList) -> bytes:
    """The list as an A4 PDF with page numbers."""
    from zhaoyin.catalog.brochure import render_pdf  # the shared WeasyPrint set-up (local files only)

    return render_pdf(policy_list_html(data))


# ---- Word ---------------------------------------------------------------------------------------


def _font(
    run: Any,
    name: str = DOCX_FONT,
    size: float | None = None,
    bold: bool | None = None,
    color: tuple[int, int, int] | None = None,
) -> Any:
    """Set a run's font; Chinese text takes the East Asian font (``w:eastAsia``)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        r_fonts.set(qn(attr), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor(*color)
    return run


def _para(
    doc: Any,
    text: str = "",
    *,
    size: float = 10.5,
    bold: bool = False,
    font: str = DOCX_FONT,
    align: str | None = None,
    color: tuple[int, int, int] | None = None,
    space_after: float = 4,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if text:
        _font(paragraph.add_run(text), font, size, bold, color)
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _table(doc: Any, rows: list[tuple[str, str]], widths: tuple[float, float] = (3.2, 12.8)) -> None:
    from docx.shared import Cm

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(widths[0]), Cm(widths[1])
        _font(cells[0].paragraphs[0].add_run(label), size=10, bold=True)
        _font(cells[1].paragraphs[0].add_run(value or "—"), size=10)
    doc.add_paragraph()


def policy_list_docx(data: PolicyList) -> bytes:
    """The list as an A4 Word document with page numbers."""
    from docx import Document
    from docx.shared import Cm

    with translation.override(LANGUAGE):
        doc = Document()
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2.2)
        section.left_margin = section.right_margin = Cm(2.0)
        gongwen.page_numbers(doc, official=False, font_name=DOCX_FONT, size_pt=9)
        ent = data.enterprise
        blue = (0x0B, 0x3D, 0x6E)
        _para(doc, ent.name, size=18, bold=True, font=DOCX_HEADING_FONT, align="center", color=blue)
        _para(doc, data.title, size=22, bold=True, font=DOCX_HEADING_FONT, align="center", color=blue, space_after=12)
        _table(
            doc,
            [
                (_("Enterprise"), ent.name),
                (_("Credit code"), ent.uscc),
                (_("Org unit"), ent.org_unit.name),
                (_("Industry"), ent.industry.name),
                (_("Size class"), data.size_class),
                (_("Service group"), ent.service_group.name if ent.service_group else "—"),
                (_("Date"), data.made_on.strftime("%Y年%m月%d日")),
                (
                    _("Summary"),
                    _("%(eligible)d eligible and %(possible)d possibly eligible policies")
                    % {"eligible": len(data.eligible), "possible": len(data.possible)},
                ),
            ],
        )
        for heading, entries in (
            (_("Policies you are eligible for"), data.eligible),
            (_("Policies you may be eligible for (data to complete)"), data.possible),
        ):
            if not entries:
                continue
            _para(doc, heading, size=14, bold=True, font=DOCX_HEADING_FONT, color=blue, space_after=6)
            for entry in entries:
                p = entry.policy
                _para(doc, f"{entry.number}. {p.title}", size=12.5, bold=True, font=DOCX_HEADING_FONT, space_after=4)
                _table(
                    doc,
                    [
                        (_("Issuer"), f"{p.issuer} · {p.get_level_display()}"),
                        (_("Document number"), p.doc_no),
                        (_("Validity"), entry.validity),
                        (_("Delivery"), str(p.get_delivery_display())),
                        (_("Benefits"), p.benefits),
                    ],
                )
                _para(doc, _("Conditions"), size=10.5, bold=True, space_after=2)
                for line in entry.conditions:
                    paragraph = _para(doc, space_after=1)
                    color = {"met": (0x1E, 0x7B, 0x34), "unmet": (0xB0, 0x1E, 0x2F)}.get(
                        line.result, (0xA1, 0x62, 0x07)
                    )
                    _font(paragraph.add_run(line.mark + " "), "DejaVu Sans", 10.5, True, color)
                    shown = line.reason if line.label == line.reason else line.label + "：" + line.reason
                    _font(paragraph.add_run(shown), size=10)
                if entry.missing:
                    _para(
                        doc,
                        _("Data still missing") + "：" + "；".join(entry.missing),
                        size=10,
                        color=(0xA1, 0x62, 0x07),
                    )
                _table(
                    doc,
                    [
                        # A 免申即享 policy never shows an application guide (issue 15).
                        (_("How to apply"), p.application_guide if p.shows_application_guide
                         else (str(NO_APPLICATION_TEXT) if p.delivery == "no_application" else "")),
                        (_("Application period"), p.apply_deadline),
                        (_("Contact office"), p.contact_office),
                        (_("Contact phone"), p.contact_phone),
                        (_("Address"), p.contact_address),
                    ],
                )
        if not data.eligible and not data.possible:
            _para(doc, _("No policy in force matches this enterprise at present."), size=11)
        _para(doc, _("Your service contact"), size=14, bold=True, font=DOCX_HEADING_FONT, color=blue, space_after=6)
        c = data.contact
        _table(
            doc,
            [
                (_("Service unit"), c.unit),
                (_("Contact person"), c.person),
                (_("Contact phone"), c.phone),
                (_("Members"), "、".join(c.members)),
            ],
        )
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()


# ---- the use case -------------------------------------------------------------------------------


def policy_list_export(*, acting_user: User, enterprise: Enterprise, fmt: str) -> bytes:
    """Build the enterprise's policy list as ``fmt`` ("pdf" or "docx") and audit the export
    ("policy_list.export", with the format and the policies listed). The caller fetched the
    enterprise through ``enterprise_get_for_user`` (404 out of scope)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    data = policy_list_build(enterprise)
    content = policy_list_pdf(data) if fmt == "pdf" else policy_list_docx(data)
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="policy_list.export",
        user=acting_user,
        obj=enterprise,
        detail=json.dumps(
            {
                "format": fmt,
                "eligible": [e.policy.pk for e in data.eligible],
                "possible": [e.policy.pk for e in data.possible],
            },
            sort_keys=True,
        ),
    )
    return content


def policy_list_filename(enterprise: Enterprise, fmt: str) -> str:
    """``政策服务清单-<name>-<date>.<fmt>``."""
    return f"政策服务清单-{enterprise.name}-{timezone.localdate():%Y%m%d}.{fmt}"
