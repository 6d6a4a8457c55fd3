"""The targets report (issue 15 item 7): the progress table as Excel and the monthly 招商 通报
as Word (公文 layout, ``core.gongwen``) and PDF.

Both are generated from data, never typed, outside any transaction, and audited once per
download (``targets.progress.export``, ``targets.bulletin.export``). They are Chinese
documents whatever the reader's UI language (a table the city circulates, like the matters
通报), so their wording is Chinese in the code, not in the UI catalogue.

- The **Excel export** holds exactly the progress table the caller sees (``progress_for``:
  scoped, grouped, ranked within the group): 分组, 单位代码, 单位, 年度目标, 完成, 完成率, 序时进度,
  差距, 排名. Figures are numbers (亿元 to 2 places, counts whole; ratios as fractions to 4
  places), codes are text cells.
- The **monthly 通报** (city-wide roles) of month M of a year, as of the month's last day (or
  today, when the month is not over): a summary paragraph of the city's figures, 一、到位资金
  (external funds) per ranking group — completion, 序时进度, gap and rank of every ranked unit,
  with the 亿元以上 projects signed and started so far this year — 二、红黄灯项目 (the stored
  lights), 三、the month's signed and started projects, 四、工作要求.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.accounts.ranking import Group
from zhaoyin.audit.services import audit_write
from zhaoyin.catalog.brochure import render_pdf
from zhaoyin.core import gongwen
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import timestamped_filename
from zhaoyin.core.roles import CITY_WIDE_ROLES
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.matters.kpis import parse_period
from zhaoyin.projects.choices import AlertLevel
from zhaoyin.projects.models import Project
from zhaoyin.projects.selectors import project_list_visible_to
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.selectors import Progress, Row, progress_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The 通报's formats and their content types.
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
#: Who downloads the 通报: the city-wide roles (it covers every unit).
BULLETIN_ROLES = CITY_WIDE_ROLES
LANGUAGE = "zh-hans"
ISSUER = "淮南市双招双引工作领导小组办公室"
#: Rows listed in each project table (the project list holds all of them).
LISTED_ROWS = 30
FUNDS, SIGNED, STARTED = "external_funds", "signed_100m", "started_100m"

PROGRESS_HEADERS = ["分组", "单位代码", "单位", "年度目标", "完成", "完成率", "序时进度", "差距", "排名"]
RANKING_HEADERS = ["排名", "单位", "年度目标（亿元）", "到位资金（亿元）", "完成率", "序时进度", "差距",
                   "亿元以上签约", "亿元以上开工"]
ALERT_HEADERS = ["灯", "项目", "单位", "阶段", "计划开工"]
MONTH_HEADERS = ["项目", "单位", "总投资（亿元）", "日期"]
LIGHT_NAMES = {AlertLevel.RED.value: "红灯", AlertLevel.YELLOW.value: "黄灯"}
REQUIREMENTS = (
    "各县区、园区要对照年度目标和序时进度，查找差距，倒排工期；对红灯、黄灯项目逐一明确责任人和"
    "推进措施，确保项目按计划开工、投产。完成率低于序时进度的单位，要在下月通报前报送整改措施。"
)


def _round(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fixed(value: Decimal | None, places: int) -> str:
    rounded = _round(value, places)
    return "—" if rounded is None else f"{rounded:.{places}f}"


# ---- Excel ------------------------------------------------------------------------------------


def _progress_order(progress: Progress) -> list[Row]:
    """The city row first, then every unit in its group's order."""
    return ([progress.city] if progress.city else []) + sorted(
        progress.items, key=lambda r: (r.group.order if r.group else -1, r.group.code if r.group else "")
    )


def progress_rows(progress: Progress) -> list[list[object]]:
    """The table's rows (the city row first, then every unit in its group's order)."""
    rows = _progress_order(progress)
    return [
        [
            r.group.name if r.group else "",
            r.unit.code,
            r.unit.name,
            _round(r.target, r.places),
            _round(r.actual, r.places),
            _round(r.completion, 4),
            _round(r.time_progress, 4),
            _round(r.gap, 4),
            r.rank,
        ]
        for r in rows
    ]


PROGRESS_PRINT_HEADERS = ["分组", "单位", "年度目标", "完成", "完成率", "序时进度", "差距", "排名"]


def _percent(value: Decimal | None) -> str:
    """A ratio as people read it on paper: 0.8123 → 81.23%."""
    return "—" if value is None else _fixed(value * 100, 2) + "%"


def progress_print_rows(progress: Progress) -> list[list[str]]:
    """The progress table as the A4 print view shows it: the Excel rows' order without the unit
    code (a code is for the import round trip, not for the reader), ratios as percentages."""
    return [
        [
            r.group.name if r.group else "",
            r.unit.name,
            _fixed(r.target, r.places),
            _fixed(r.actual, r.places),
            _percent(r.completion),
            _percent(r.time_progress),
            _percent(r.gap),
            "—" if r.rank is None else str(r.rank),
        ]
        for r in _progress_order(progress)
    ]


def progress_caption(progress: Progress) -> str:
    """``2026年 引进市外资金（亿元） 截至2026年9月30日``: the table's title line (Excel, print)."""
    ind = progress.indicator
    return f"{progress.year}年 {ind.label}（{ind.unit}） 截至{gongwen.chinese_date(progress.as_of)}"


def progress_xlsx(progress: Progress) -> bytes:
    """The progress table as a workbook."""
    caption = progress_caption(progress)
    out = io.BytesIO()
    with translation.override(LANGUAGE):
        sheet = SheetSpec(
            title=_("Progress"),
            headers=PROGRESS_HEADERS,
            rows=progress_rows(progress),
            text_columns=frozenset({1}),
            widths=(14, 14, 24, 12, 12, 10, 10, 10, 6),
            caption=str(caption),
        )
        write_xlsx(out, [sheet])
    return out.getvalue()


def progress_export(*, acting_user: User, year: int, indicator: str, as_of: dt.date) -> bytes:
    """The caller's progress table as Excel, audited as ``targets.progress.export``."""
    progress = progress_for(acting_user, year=year, indicator=REGISTRY[indicator], as_of=as_of)
    content = progress_xlsx(progress)
    audit_write(
        action="targets.progress.export",
        user=acting_user,
        object_type="targets.progress",
        object_repr=f"{year} {indicator}",
        after={"year": year, "indicator": indicator, "as_of": as_of.isoformat(), "rows": len(progress.items)},
    )
    return content


def progress_filename(*, year: int, indicator: str) -> str:
    """``目标考核进度-2026-到位资金_2026-12-07.xlsx``: the list, its year and indicator, today."""
    label = pgettext("export file", "Target progress")
    return timestamped_filename(f"{label}-{year}-{REGISTRY[indicator].label}")


# ---- the monthly 通报 --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedUnit:
    """One unit's line of the 通报's ranking: its funds row and its 亿元以上 counts."""

    funds: Row
    signed: Decimal
    started: Decimal


@dataclass(frozen=True)
class TargetBulletin:
    """Everything the 招商 通报 says, in both formats."""

    year: int
    month: int
    as_of: dt.date
    issuer: str
    doc_number: str
    title: str
    issued_on: dt.date
    summary: str
    groups: list[tuple[Group | None, list[RankedUnit]]]
    lit: list[tuple[Project, str]]
    signed: list[Project]
    started: list[Project]


def parse_month(year: object, month: object) -> tuple[int, int]:
    """``year`` (2000–2100) and ``month`` (1–12, required); InvalidInput names each bad one."""
    y, m = parse_period(year, month)
    if m is None:
        raise InvalidInput.field("month", _("Enter a month between 1 and 12."))
    return y, m


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, 1), following - dt.timedelta(days=1)


def bulletin_build(user: User, *, year: int, month: int, today: dt.date | None = None) -> TargetBulletin:
    """The 通报 of ``month`` as ``user`` (a city-wide reader) sees it."""
    day = today or timezone.localdate()
    first, last = _month_bounds(year, month)
    as_of = min(last, day)
    funds = progress_for(user, year=year, indicator=REGISTRY[FUNDS], as_of=as_of)
    signed = {r.unit.pk: r.actual for r in progress_for(user, year=year, indicator=REGISTRY[SIGNED], as_of=as_of).items}
    started = {
        r.unit.pk: r.actual for r in progress_for(user, year=year, indicator=REGISTRY[STARTED], as_of=as_of).items
    }
    grouped: dict[str, tuple[Group | None, list[RankedUnit]]] = {}
    for r in funds.items:
        key = r.group.code if r.group else ""
        line = RankedUnit(r, signed.get(r.unit.pk, Decimal(0)), started.get(r.unit.pk, Decimal(0)))
        grouped.setdefault(key, (r.group, []))[1].append(line)
    groups = sorted(grouped.values(), key=lambda g: (g[0].order if g[0] else -1, g[0].code if g[0] else ""))
    for _group, lines in groups:
        lines.sort(key=lambda u: (u.funds.rank is None, u.funds.rank or 0, u.funds.unit.sort_order))

    projects = project_list_visible_to(user).order_by()
    lit_qs = projects.filter(alert_level__in=list(LIGHT_NAMES)).order_by("alert_level", "org_unit__path", "name")
    lit_count = dict(
        projects.filter(alert_level__in=list(LIGHT_NAMES)).values_list("alert_level").annotate(n=Count("pk"))
    )
    signed_month = list(projects.filter(signed_on__gte=first, signed_on__lte=as_of).order_by("signed_on", "name"))
    started_month = list(projects.filter(started_on__gte=first, started_on__lte=as_of).order_by("started_on", "name"))
    city = funds.city
    summary = (
        f"截至{gongwen.chinese_date(as_of)}，全市到位资金{_fixed(city.actual if city else None, 2)}亿元，"
        f"完成年度目标{gongwen.percent(city.completion if city else None)}，"
        f"序时进度{gongwen.percent(funds.time_progress)}。{month}月全市新签约项目{len(signed_month)}个、"
        f"新开工项目{len(started_month)}个；红灯项目{lit_count.get(AlertLevel.RED.value, 0)}个、"
        f"黄灯项目{lit_count.get(AlertLevel.YELLOW.value, 0)}个。现将有关情况通报如下。"
    )
    return TargetBulletin(
        year=year,
        month=month,
        as_of=as_of,
        issuer=str(getattr(settings, "ZHAOYIN_BULLETIN_ISSUER", ISSUER)),
        doc_number=f"淮招引〔{year}〕{month}号",
        title=f"关于{year}年{month}月全市招商引资工作进展情况的通报",
        issued_on=day,
        summary=summary,
        groups=groups,
        lit=[(p, LIGHT_NAMES[p.alert_level]) for p in lit_qs[:LISTED_ROWS]],
        signed=signed_month[:LISTED_ROWS],
        started=started_month[:LISTED_ROWS],
    )


_NUMERALS = "一二三四五六七八九十"


def ranking_tables(b: TargetBulletin) -> list[tuple[str, list[list[str]]]]:
    """One table per ranking group, （一）县区 …: rank, unit, target, actual, the three ratios and
    the 亿元以上 projects signed and started this year."""
    return [
        (
            f"（{_NUMERALS[i % len(_NUMERALS)]}）{group.name if group else ''}",
            [
                [
                    str(u.funds.rank) if u.funds.rank is not None else "—",
                    u.funds.unit.name,
                    _fixed(u.funds.target, 2),
                    _fixed(u.funds.actual, 2),
                    gongwen.percent(u.funds.completion),
                    gongwen.percent(u.funds.time_progress),
                    gongwen.percent(u.funds.gap),
                    _fixed(u.signed, 0),
                    _fixed(u.started, 0),
                ]
                for u in lines
            ],
        )
        for i, (group, lines) in enumerate(b.groups)
    ]


def _yi(p: Project) -> str:
    return _fixed(p.total_investment_wan / Decimal(10000), 2)


def alert_rows(b: TargetBulletin) -> list[list[str]]:
    return [
        [
            light,
            p.name,
            p.org_unit.name,
            str(p.get_stage_display()),
            p.planned_start_on.isoformat() if p.planned_start_on else "—",
        ]
        for p, light in b.lit
    ]


def month_rows(projects: list[Project], column: str) -> list[list[str]]:
    return [[p.name, p.org_unit.name, _yi(p), getattr(p, column).isoformat()] for p in projects]


def bulletin_docx(b: TargetBulletin) -> bytes:
    """The 通报 in 公文 layout."""
    with translation.override(LANGUAGE):
        doc = gongwen.document(issuer=b.issuer, doc_number=b.doc_number, title=b.title)
        gongwen.body(doc, b.summary)
        gongwen.heading(doc, "一、各单位目标完成情况")
        for name, rows in ranking_tables(b):
            gongwen.body(doc, name)
            gongwen.table(doc, RANKING_HEADERS, rows)
        signed, started = month_rows(b.signed, "signed_on"), month_rows(b.started, "started_on")
        gongwen.table_sections(
            doc,
            [
                ("二、红灯、黄灯项目", ALERT_HEADERS, alert_rows(b), "没有红灯、黄灯项目。"),
                (f"三、{b.month}月新签约项目", MONTH_HEADERS, signed, "本月没有新签约项目。"),
                (f"四、{b.month}月新开工项目", MONTH_HEADERS, started, "本月没有新开工项目。"),
            ],
        )
        gongwen.heading(doc, "五、工作要求")
        gongwen.body(doc, REQUIREMENTS)
        return gongwen.sign_and_save(doc, issuer=b.issuer, issued_on=b.issued_on)


def bulletin_html(b: TargetBulletin) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(
            "targets/bulletin.html",
            {
                "b": b,
                "issued": gongwen.chinese_date(b.issued_on),
                "ranking_headers": RANKING_HEADERS,
                "ranking": ranking_tables(b),
                "alert_headers": ALERT_HEADERS,
                "alerts": alert_rows(b),
                "month_headers": MONTH_HEADERS,
                "signed": month_rows(b.signed, "signed_on"),
                "started": month_rows(b.started, "started_on"),
                "requirements": REQUIREMENTS,
                "stylesheet": "css/bulletin.css",
            },
        )


def bulletin_export(*, acting_user: User, year: int, month: int, fmt: str, today: dt.date | None = None) -> bytes:
    """Generate the 通报 of a month (``fmt`` ``docx`` or ``pdf``) and audit the download;
    InvalidInput names ``format`` before anything is generated."""
    if fmt not in FORMATS:
        raise InvalidInput.field("format", _("Choose docx or pdf."))
    b = bulletin_build(acting_user, year=year, month=month, today=today)
    content = bulletin_docx(b) if fmt == "docx" else render_pdf(bulletin_html(b))
    audit_write(
        action="targets.bulletin.export",
        user=acting_user,
        object_type="targets.bulletin",
        object_repr=b.title,
        after={
            "year": year,
            "month": month,
            "format": fmt,
            "units": sum(len(lines) for _g, lines in b.groups),
            "bytes": len(content),
        },
    )
    return content
