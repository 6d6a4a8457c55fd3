"""The monthly bulletin (通报) of assigned matters, as Word (.docx, 公文 layout) and PDF
(issue 4 item 8).

Generated from data, never typed: the month's KPIs ranked by unit (``kpis.kpi_report``), the
overdue matters and the listed (挂牌督办) matters still open, with a summary paragraph of the
city's totals. The ranking is one table per ranking group (（一）县区, （二）开发区/园区,
（三）市直部门), a unit with too few matters marked 样本不足. The Word file (``core.gongwen``)
follows the 党政机关公文格式 (GB/T 9704) in its main points: A4,
margins 37/35/28/26 mm, the issuing body's mark in red 小标宋 above a red rule, the document
number, the title in 二号 小标宋, the body in 三号 仿宋 with 28 pt lines and two-character
indents, 一、二、 headings in 黑体, the issuer and date at the end. Chinese fonts are named on
``w:eastAsia`` (platform-notes). The PDF is the same content through WeasyPrint with Noto CJK.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.catalog.brochure import render_pdf
from zhaoyin.core import gongwen
from zhaoyin.core.errors import InvalidInput
from zhaoyin.lib import matter_kpis as engine
from zhaoyin.matters.flow import State
from zhaoyin.matters.kpis import KpiReport, KpiRow, kpi_report, listed_open_matters, overdue_matters
from zhaoyin.matters.models import Matter, MatterInstruction
from zhaoyin.matters.selectors import matter_list_visible_to

LANGUAGE = "zh-hans"
ISSUER = "淮南市双招双引工作领导小组办公室"
#: Rows listed in the overdue and listed tables (the lists on the site hold all of them).
LISTED_ROWS = 30


@dataclass(frozen=True)
class Bulletin:
    """Everything the bulletin says, in both formats."""

    year: int
    month: int
    issuer: str
    doc_number: str
    title: str
    issued_on: dt.date
    summary: str
    report: KpiReport
    overdue: list[Matter]
    listed: list[Matter]
    #: The month's leaders' instructions (领导批示, issue 15): ``month_instructions``.
    instructions: list[MatterInstruction] = field(default_factory=list)


_pct = gongwen.percent
_chinese_date = gongwen.chinese_date


def bulletin_build(user: User, *, year: int, month: int, today: dt.date | None = None) -> Bulletin:
    """The bulletin of ``month`` as ``user`` (a city-wide reader) sees it."""
    day = today or timezone.localdate()
    report = kpi_report(user, year=year, month=month, today=day)
    total = engine.kpis_from_counts(
        0,
        **{
            key: sum(getattr(r.kpis, key) for r in report.rows)
            for key in (
                "matters",
                "sign_for_decided",
                "signed_on_time",
                "due",
                "closed",
                "closed_on_time",
                "rated",
                "satisfied",
                "returned",
            )
        },
        days_count=0,
        days_total=0,
    )
    visible = matter_list_visible_to(user).order_by()
    overdue = (
        overdue_matters(visible, day).select_related("lead_unit").order_by("handle_deadline", "sign_deadline", "pk")
    )
    listed = listed_open_matters(visible).select_related("lead_unit").order_by("pk")
    overdue_count, listed_count = overdue.count(), listed.count()
    summary = (
        f"{month}月，全市共交办事项{total.matters}件，已办结{total.closed}件；签收及时率{_pct(total.sign_for_on_time_rate)}，"
        f"按期办结率{_pct(total.closed_on_time_rate)}，满意率{_pct(total.satisfaction_rate)}。"
        f"截至{_chinese_date(day)}，全市超期未办结事项{overdue_count}件，挂牌督办事项{listed_count}件。"
        "现将有关情况通报如下。"
    )
    issuer = str(getattr(settings, "ZHAOYIN_BULLETIN_ISSUER", ISSUER))
    return Bulletin(
        year=year,
        month=month,
        issuer=issuer,
        doc_number=f"淮招引督〔{year}〕{month}号",
        title=f"关于{year}年{month}月交办事项办理情况的通报",
        issued_on=day,
        summary=summary,
        report=report,
        overdue=list(overdue[:LISTED_ROWS]),
        listed=list(listed[:LISTED_ROWS]),
        instructions=month_instructions(user, year=year, month=month),
    )


#: The rank cell of a unit with too few matters to be ranked.
THIN_SAMPLE = "样本不足"
_GROUP_NUMERALS = "一二三四五六七八九十"


def ranking_groups(b: Bulletin) -> list[tuple[str, list[list[str]]]]:
    """The ranking, one table per ranking group (（一）县区 …) in the groups' order."""
    out: list[tuple[str, list[KpiRow]]] = []
    for r in b.report.rows:
        name = r.group.name if r.group else ""
        if not out or out[-1][0] != name:
            out.append((name, []))
        out[-1][1].append(r)
    numbered = len(out) > 1 or any(name for name, _rows in out)
    return [
        (
            f"（{_GROUP_NUMERALS[i % len(_GROUP_NUMERALS)]}）{name}" if numbered else name,
            _ranking_cells(rows),
        )
        for i, (name, rows) in enumerate(out)
    ]


def ranking_rows(b: Bulletin) -> list[list[str]]:
    """The ranking table's body, every group's rows in order."""
    return _ranking_cells(b.report.rows)


def _ranking_cells(rows: list[KpiRow]) -> list[list[str]]:
    """Rank (样本不足 for a thin sample), unit, assigned, the three rates, returned, score."""
    return [
        [
            THIN_SAMPLE if r.thin_sample else str(r.rank or "—"),
            r.unit.name,
            str(r.kpis.matters),
            _pct(r.kpis.sign_for_on_time_rate),
            _pct(r.kpis.closed_on_time_rate),
            _pct(r.kpis.satisfaction_rate),
            str(r.kpis.returned),
            "—" if r.score is None else str(r.score),
        ]
        for r in rows
    ]


RANKING_HEADERS = ["排名", "单位", "交办", "签收及时率", "按期办结率", "满意率", "退回", "综合得分"]
MATTER_HEADERS = ["编号", "事项", "主办单位", "期限"]


def _deadline(m: Matter) -> str:
    due = m.handle_deadline if m.state != State.ASSIGNED.value else m.sign_deadline
    return due.isoformat() if due else "—"


def matter_rows(matters: list[Matter]) -> list[list[str]]:
    return [
        [
            m.code,
            m.title,
            m.lead_unit.name if m.lead_unit else "—",
            _deadline(m),
        ]
        for m in matters
    ]


# ---- 领导批示 (issue 15): the month's leaders' instructions, a section of its own ----------------

INSTRUCTION_HEADERS = ["日期", "领导", "事项", "批示内容"]
INSTRUCTION_HEADING = "四、领导批示"
INSTRUCTION_EMPTY = "本月没有领导批示。"
#: Characters of an instruction shown in the table (the matter's timeline has all of it).
INSTRUCTION_TEXT = 120


def month_instructions(user: User, *, year: int, month: int) -> list[MatterInstruction]:
    """The instructions given in the month on matters ``user`` sees, in date order (at most
    ``LISTED_ROWS``)."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    visible = matter_list_visible_to(user).order_by().values("pk")
    return list(
        MatterInstruction.objects.filter(instructed_on__gte=first, instructed_on__lt=following, matter__in=visible)
        .select_related("matter", "leader")
        .order_by("instructed_on", "pk")[:LISTED_ROWS]
    )


def instruction_rows(b: Bulletin) -> list[list[str]]:
    """The 领导批示 table's body: the day, the leader, the matter, the instruction."""
    return [
        [
            i.instructed_on.isoformat(),
            i.leader.full_name or i.leader.get_username(),
            f"{i.matter.code} {i.matter.title}",
            i.text if len(i.text) <= INSTRUCTION_TEXT else i.text[:INSTRUCTION_TEXT] + "…",
        ]
        for i in b.instructions
    ]


REQUIREMENTS = (
    "各主办单位要对照本通报，逐项梳理超期和挂牌督办事项，明确责任人和完成时限，"
    "确需延期的应在期限届满前提出延期申请。对排名靠后的单位，市督查室将进行约谈。"
)


# ---- Word ---------------------------------------------------------------------------------------


def bulletin_docx(b: Bulletin) -> bytes:
    """The bulletin as a Word document in 公文 layout (``core.gongwen``)."""
    doc = gongwen.document(issuer=b.issuer, doc_number=b.doc_number, title=b.title)
    gongwen.body(doc, b.summary)
    gongwen.heading(doc, "一、各单位办理情况排名")
    groups = ranking_groups(b)
    if not groups:
        gongwen.body(doc, "本月没有交办事项。")
    for name, rows in groups:
        if len(groups) > 1 or name:
            gongwen.body(doc, name)
        gongwen.table(doc, RANKING_HEADERS, rows)
    gongwen.table_sections(
        doc,
        [
            ("二、超期未办结事项", MATTER_HEADERS, matter_rows(b.overdue), "没有超期未办结事项。"),
            ("三、挂牌督办事项", MATTER_HEADERS, matter_rows(b.listed), "没有挂牌督办事项。"),
            (INSTRUCTION_HEADING, INSTRUCTION_HEADERS, instruction_rows(b), INSTRUCTION_EMPTY),
        ],
    )
    gongwen.heading(doc, "五、工作要求")
    gongwen.body(doc, REQUIREMENTS)
    return gongwen.sign_and_save(doc, issuer=b.issuer, issued_on=b.issued_on)


# ---- PDF ----------------------------------------------------------------------------------------


def bulletin_html(b: Bulletin) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(
            "matters/bulletin.html",
            {
                "b": b,
                "issued": _chinese_date(b.issued_on),
                "ranking_headers": RANKING_HEADERS,
                "ranking": ranking_rows(b),
                "ranking_groups": ranking_groups(b),
                "matter_headers": MATTER_HEADERS,
                "overdue": matter_rows(b.overdue),
                "listed": matter_rows(b.listed),
                "instruction_heading": INSTRUCTION_HEADING,
                "instruction_headers": INSTRUCTION_HEADERS,
                "instructions": instruction_rows(b),
                "instruction_empty": INSTRUCTION_EMPTY,
                "requirements": REQUIREMENTS,
                "stylesheet": "css/bulletin.css",
            },
        )


def bulletin_pdf(b: Bulletin) -> bytes:
    """The bulletin as PDF (WeasyPrint, Noto CJK)."""
    return render_pdf(bulletin_html(b))


#: The bulletin's formats and their content types.
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def bulletin_export(
    *, acting_user: User, year: int, month: int | None, fmt: str, today: dt.date | None = None
) -> bytes:
    """Generate the bulletin of a month (``fmt`` ``docx`` or ``pdf``) and audit the export;
    InvalidInput names ``format`` or ``month`` before anything is generated."""
    from zhaoyin.audit.services import audit_write

    if fmt not in FORMATS:
        raise InvalidInput.field("format", _("Choose docx or pdf."))
    if month is None:
        raise InvalidInput.field("month", _("Enter a month between 1 and 12."))
    b = bulletin_build(acting_user, year=year, month=month, today=today)
    content = bulletin_docx(b) if fmt == "docx" else bulletin_pdf(b)
    audit_write(
        action="matters.bulletin.export",
        user=acting_user,
        object_type="matters.bulletin",
        object_repr=b.title,
        after={"year": year, "month": month, "format": fmt, "units": len(b.report.rows), "bytes": len(content)},
    )
    return content
