"""What a published run hands on: each firm's final grade for the year, read by the eligibility
engine as ``mu_grade`` (issue 14 item 5).

The evaluation sits above the enterprises app, and the policy apps may not import it
(tests/test_layers.py): the grades go down into ``enterprises.EnterpriseGrade`` through the
enterprises service ``enterprise_grades_replace``, which tells matching to re-match the firms
whose grade moved once the publish commits. A policy then says "A 类企业" as
``{"field": "mu_grade", "op": "eq", "value": "A"}``.
"""

from __future__ import annotations

from zhaoyin.accounts.models import User
from zhaoyin.enterprises.models import GradeKind
from zhaoyin.enterprises.services import enterprise_grades_replace
from zhaoyin.mujun.models import MuRun


def final_grades(run: MuRun) -> dict[int, str]:
    """The run's final grade of each graded firm (after 调档 and objections): enterprise id → A–D.
    Firms not graded (exempt, incomplete, outside every list) have none."""
    return dict(run.results.exclude(grade="").values_list("enterprise_id", "grade"))


def publish_grades(run: MuRun, *, acting_user: User | None = None) -> int:
    """Hand the run's final grades on as the year's ``mu_grade`` (called inside the publish
    transaction); a firm graded by an earlier publication of the year and not by this one loses
    it. Returns how many firms' grades moved."""
    return enterprise_grades_replace(acting_user=acting_user, year=run.year, grades=final_grades(run),
                                     kind=GradeKind.MU)
