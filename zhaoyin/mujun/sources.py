"""The bureaus whose figures a 亩均 evaluation reads (issue 14 item 1), as data.

Each source is one Excel import: the columns it carries and the engine figure
(``lib.mujun.FIGURES``) each column fills. Land (自然资源) is the exception: its rows are
parcels and their holders (``models.Parcel`` / ``models.ParcelHolding``); a firm's ``land_mu``
is the sum of the areas it holds in the year (a leased parcel counts for the user, not the
owner). No Django beyond ``gettext_lazy``: the importers, the reconciliation page and the
pure tests read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Source(StrEnum):
    """A bureau's import; the value is the public code (CLI ``zhaoyin mu import SOURCE``)."""

    TAX = "tax"  # 税务局: 实缴税金
    POWER = "power"  # 供电公司: 用电量
    STATS = "stats"  # 统计局: 主营业务收入, 工业增加值, 技改投资
    ENERGY = "energy"  # 发改委 / 统计局: 综合能耗
    ENVIRONMENT = "environment"  # 生态环境局: 排放量, 核定排污权
    SCIENCE = "science"  # 科技局: 研发经费
    HR = "hr"  # 人社局: 年平均职工人数
    LAND = "land"  # 自然资源和规划局: parcels and who holds them


@dataclass(frozen=True)
class FigureColumn:
    """One column of a source's workbook: the engine figure, its header, its unit, and
    whether a value of 0 is implausible (land, employees) rather than merely small."""

    figure: str
    header: Any
    unit: Any
    whole: bool = False


@dataclass(frozen=True)
class SourceSpec:
    """A source: its label, the body that owns it, and its figure columns (none for land)."""

    code: Source
    label: Any
    bureau: Any
    columns: tuple[FigureColumn, ...]


SOURCES: dict[Source, SourceSpec] = {
    Source.TAX: SourceSpec(Source.TAX, _("Tax paid"), _("Tax bureau"), (
        FigureColumn("tax", _("Tax paid"), _("10k yuan")),
    )),
    Source.POWER: SourceSpec(Source.POWER, _("Electricity use"), _("Power supply company"), (
        FigureColumn("electricity", _("Electricity use"), _("10k kWh")),
    )),
    Source.STATS: SourceSpec(Source.STATS, _("Revenue and value added"), _("Statistics bureau"), (
        FigureColumn("revenue", _("Main business revenue"), _("10k yuan")),
        FigureColumn("value_added", _("Industrial value added"), _("10k yuan")),
        FigureColumn("tech_investment", _("Technical renovation investment"), _("10k yuan")),
    )),
    Source.ENERGY: SourceSpec(Source.ENERGY, _("Energy use"), _("Development and reform commission"), (
        FigureColumn("energy", _("Comprehensive energy use"), _("tce")),
    )),
    Source.ENVIRONMENT: SourceSpec(Source.ENVIRONMENT, _("Emissions"), _("Ecology and environment bureau"), (
        FigureColumn("emissions", _("Main pollutant emissions"), _("t")),
        FigureColumn("pollution_rights", _("Approved emission rights"), _("t")),
    )),
    Source.SCIENCE: SourceSpec(Source.SCIENCE, _("R&D spending"), _("Science and technology bureau"), (
        FigureColumn("rd", _("R&D spending"), _("10k yuan")),
    )),
    Source.HR: SourceSpec(Source.HR, _("Employees"), _("Human resources bureau"), (
        FigureColumn("employees", _("Average employees"), _("persons"), whole=True),
    )),
    Source.LAND: SourceSpec(Source.LAND, _("Land parcels"), _("Natural resources bureau"), ()),
}

#: Every figure an import fills, with its source (land_mu comes from the parcels).
FIGURE_SOURCE: dict[str, Source] = {c.figure: s.code for s in SOURCES.values() for c in s.columns}
FIGURE_SOURCE["land_mu"] = Source.LAND
SOURCE_CHOICES: tuple[tuple[str, Any], ...] = tuple((s.value, SOURCES[s].label) for s in Source)
FIGURE_CHOICES: tuple[tuple[str, str], ...] = tuple((f, f) for f in FIGURE_SOURCE)
