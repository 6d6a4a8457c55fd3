"""Choice sets of assigned matters (DESIGN 3.5). The states and actions are in ``flow``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterSource(models.TextChoices):
    """Where a matter comes from."""

    ENTERPRISE_DEMAND = "enterprise_demand", _("Enterprise demand")  # 企业诉求
    PROJECT_OBSTACLE = "project_obstacle", _("Project obstacle")  # 项目推进问题
    TALENT_DEMAND = "talent_demand", _("Talent demand")  # 人才诉求
    LEADER_INSTRUCTION = "leader_instruction", _("Leader instruction")  # 领导批示
    MEETING_DECISION = "meeting_decision", _("Meeting decision")  # 会议议定
    REFORM_MEASURE = "reform_measure", _("Business-environment reform measure")  # 营商环境改革举措
    VISIT = "visit", _("Enterprise visit")  # 百家企业行 走访


class MatterKind(models.TextChoices):
    """What kind of work a matter is; it sets the default handling days (clocks)."""

    CONSULTATION = "consultation", _("Consultation")  # 咨询 (3 working days)
    COORDINATION = "coordination", _("Coordination")  # 协调 (15)
    TALENT_DEMAND = "talent_demand", _("Talent demand")  # 人才诉求 (10)
    URGENT_INSTRUCTION = "urgent_instruction", _("Urgent instruction")  # 急件批示 (5)
    INSTRUCTION = "instruction", _("Instruction")  # 批示 (15)
    REFORM = "reform", _("Reform measure")  # 改革举措 (a date set at assignment)


class Rating(models.TextChoices):
    """The requester's verdict (回访评价); 不满意 reopens the matter (重办)."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class ExtensionState(models.TextChoices):
    """Where an extension request (延期申请) stands."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    # The matter left ``accepted`` (reported, returned, reassigned, cancelled) before an answer.
    LAPSED = "lapsed", _("Lapsed")


class DemandCategory(models.TextChoices):
    """What a talent demand (人才诉求) is about; it decides the owning department
    (zhaoyin.matters.routing)."""

    HOUSING = "housing", _("Housing")  # 住房
    SCHOOLING = "schooling", _("Children's schooling")  # 子女入学
    SPOUSE_EMPLOYMENT = "spouse_employment", _("Spouse employment")  # 配偶就业
    PROJECT_APPLICATION = "project_application", _("Project application")  # 项目申报
    MEDICAL = "medical", _("Medical care")  # 医疗
    OTHER = "other", _("Other")  # 其他
