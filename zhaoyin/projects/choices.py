"""Choice sets of the investment pipeline. THE stage transition table is ``projects.flow.TABLE``
(DESIGN 3.2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    # 已注册 (the project company is registered), not the 登记 of a draft matter: a context of its own.
    REGISTERED = "registered", pgettext_lazy("project stage", "Registered")
    STARTED = "started", _("Construction started")
    PRODUCING = "producing", _("In production")
    FULL_CAPACITY = "full_capacity", _("Full capacity")
    ON_HOLD = "on_hold", _("On hold")
    TERMINATED = "terminated", _("Terminated")


#: The main line, in order. Moving forward by more than one step is a skip (needs a reason);
#: moving back is a correction (needs a reason, keeps the history).
MAIN_LINE: tuple[Stage, ...] = (
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.STARTED,
    Stage.PRODUCING,
    Stage.FULL_CAPACITY,
)
SIDE_STATES: frozenset[Stage] = frozenset({Stage.ON_HOLD, Stage.TERMINATED})
TERMINAL_STATES: frozenset[Stage] = frozenset({Stage.TERMINATED})


class StageChangeKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    SKIP = "skip", _("Skip forward")
    CORRECTION = "correction", _("Correction (back)")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resume")
    TERMINATE = "terminate", _("Terminate")
    REOPEN = "reopen", _("Reopen")


class SourceRegion(models.TextChoices):
    YANGTZE_DELTA = "yangtze_delta", _("Yangtze River Delta")
    PEARL_DELTA = "pearl_delta", _("Pearl River Delta")
    JINGJINJI = "jingjinji", _("Beijing-Tianjin-Hebei")
    IN_PROVINCE = "in_province", _("Within the province")
    OTHER_DOMESTIC = "other_domestic", _("Other domestic")
    OVERSEAS = "overseas", _("Overseas")


class AttractionMethod(models.TextChoices):
    BUSINESS_REFERRAL = "business_referral", _("Attraction through businesses")
    FUND = "fund", _("Fund-led attraction")
    RESIDENT_OFFICE = "resident_office", _("Resident-office attraction")
    CHAIN_LEADER = "chain_leader", _("Chain-leader attraction")
    EVENT = "event", _("Promotion event")
    OTHER = "other", _("Other")
    #: 本地企业增资扩产: a firm already in the city invests again (issue 15: 汉邦's second phase
    #: is this, not 以商招商, which is a firm bringing in others).
    LOCAL_EXPANSION = "local_expansion", _("Local firm's expansion")


class FundSource(models.TextChoices):
    OUTSIDE_CITY = "outside_city", _("Outside the city")
    OUTSIDE_PROVINCE = "outside_province", _("Outside the province")
    FOREIGN = "foreign", _("Foreign")


class FundKind(models.TextChoices):
    FIXED_ASSET = "fixed_asset", _("Fixed-asset investment")
    OTHER = "other", _("Other")


class AlertLevel(models.TextChoices):
    """The 红黄绿 light of a project (the values of ``zhaoyin.lib.alerts.Level``)."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class FundVerification(models.TextChoices):
    """Where an entry stands in 核查 (docs/targets.md, "Funds verification"): 填报 by the
    county, then 核实 or 退回 by the city. Only verified entries count in targets and rankings."""

    REPORTED = "reported", pgettext_lazy("funds", "Reported")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Returned")


class FundEvidenceKind(models.TextChoices):
    """The kind of 到账凭证 a verification rests on."""

    BANK_SLIP = "bank_slip", _("Bank slip")
    CAPITAL_VERIFICATION = "capital_verification", _("Capital verification report")


class FundFlag(models.TextChoices):
    """A plausibility flag on an entry, shown to the verifier (docs/targets.md)."""

    OVER_TOTAL = "over_total", _("Cumulative funds above the total investment")
    MONTH_SHARE = "month_share", _("One month above the flagged share of the total investment")
