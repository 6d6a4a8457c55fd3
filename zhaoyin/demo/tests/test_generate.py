"""``zhaoyin generate``: deterministic bulk data at a custom scale."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.money import fen_sum
from zhaoyin.demo.generate import GENERATORS, counts_for
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.uscc import is_valid_uscc
from zhaoyin.matters.models import Matter
from zhaoyin.projects.alerts import WATCHED, project_alerts
from zhaoyin.projects.milestones import MILESTONE_FIELDS, milestone_columns
from zhaoyin.projects.models import FundEntry, FundRollup, Project
from zhaoyin.talents.models import Talent
from zhaoyin.workcalendar.selectors import current_calendar


def run(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--scale", "city", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_generate_valid_unique_usccs_spread_over_the_tree() -> None:
    run("--count", "300", "--seed", "7")
    firms = list(Enterprise.objects.select_related("org_unit", "service_group"))
    assert len(firms) == 300
    assert len({f.uscc for f in firms}) == 300
    assert all(is_valid_uscc(f.uscc) and f.uscc.startswith("913404") for f in firms)
    assert len({f.org_unit.code for f in firms}) >= 10
    assert len({f.service_group_id for f in firms}) == 10
    assert all(f.search_text for f in firms)
    assert any("电子" in f.name for f in firms)


@pytest.mark.django_db
def test_generate_is_deterministic_from_the_seed() -> None:
    run("--count", "200", "--seed", "42")
    first = set(Enterprise.objects.values_list("uscc", "name", "org_unit__code", "industry__code"))
    Talent.objects.all().delete()  # a talent's employer is protected
    Enterprise.qualifications.through.objects.all().delete()
    Enterprise.objects.all().delete()
    run("--count", "200", "--seed", "42")
    second = set(Enterprise.objects.values_list("uscc", "name", "org_unit__code", "industry__code"))
    assert first == second
    Talent.objects.all().delete()  # a talent's employer is protected
    Enterprise.qualifications.through.objects.all().delete()
    Enterprise.objects.all().delete()
    run("--count", "200", "--seed", "43")
    other = set(Enterprise.objects.values_list("uscc", flat=True))
    assert other != {row[0] for row in first}


@pytest.mark.django_db
def test_generate_again_adds_nothing_and_a_larger_count_adds_the_rest() -> None:
    run("--count", "100")
    usccs = set(Enterprise.objects.values_list("uscc", flat=True))
    run("--count", "100")
    assert Enterprise.objects.count() == 100
    run("--count", "150")
    assert Enterprise.objects.count() == 150
    assert usccs <= set(Enterprise.objects.values_list("uscc", flat=True))


@pytest.mark.django_db
def test_generate_writes_one_audit_record_per_run() -> None:
    run("--count", "50")
    records = AuditRecord.objects.filter(action="generate")
    assert records.count() == 1
    record = records.get()
    assert record.channel == "cli"
    assert record.after is not None
    assert record.after["created"] == {
        "enterprises": 50, "projects": 50, "fund_entries": 50, "matters": 50, "talents": 50,
        "apartment_units": 50,
    }
    assert AuditRecord.objects.filter(action__in=["enterprise.create", "project.create"]).count() == 0


@pytest.mark.django_db
def test_generate_coexists_with_the_demo(load_demo: LoadDemo) -> None:
    load_demo(2026)
    run("--count", "100")
    assert Enterprise.objects.count() == 198


def test_generate_scales_follow_design_8() -> None:
    assert "enterprises" in GENERATORS
    assert counts_for("city")["enterprises"] == 5_000
    assert counts_for("province")["enterprises"] == 100_000
    with pytest.raises(ValueError, match="scale"):
        counts_for("country")


@pytest.mark.django_db
def test_generate_rejects_unknown_scale_and_negative_count() -> None:
    with pytest.raises(CommandError):
        call_command("generate", "--scale", "country", stdout=StringIO())
    with pytest.raises(CommandError) as excinfo:
        call_command("generate", "--scale", "city", "--count", "-1", stdout=StringIO())
    assert excinfo.value.returncode == 2
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_generated_projects_have_a_consistent_history_funds_rollup_and_lights() -> None:
    run("--count", "400", "--seed", "5")
    projects = list(Project.objects.filter(code__startswith="SC-"))
    assert len(projects) == 400
    stages = {p.stage for p in projects}
    assert {"lead", "negotiating", "signed", "started", "producing"} <= stages
    for p in projects:
        history = list(p.stage_events.order_by("created_at", "id").values_list("to_stage", "stage_on"))
        assert history[-1][0] == p.stage
        assert {k: getattr(p, k) for k in MILESTONE_FIELDS} == milestone_columns(history, p.first_contact_on)
    entries = FundEntry.objects.filter(project__code__startswith="SC-")
    assert entries.count() == 400
    funded = {p.stage for p in Project.objects.filter(fund_entries__isnull=False)}
    assert funded <= {"started", "producing", "full_capacity"}
    total = entries.aggregate(fen=fen_sum("amount_wan"))["fen"]
    assert FundRollup.objects.aggregate(fen=Sum("fen"))["fen"] == total
    # Past months verified by the city (they count), the current month's report waiting.
    this_month = timezone.localdate().replace(day=1)
    assert not entries.filter(month__lt=this_month).exclude(verification="verified").exists()
    assert not entries.filter(month=this_month).exclude(verification="reported").exists()
    verified = entries.filter(verification="verified").aggregate(fen=fen_sum("amount_wan"))["fen"]
    assert verified
    assert FundRollup.objects.aggregate(fen=Sum("verified_fen"))["fen"] == verified
    # Every light is stored as of today and equals a live evaluation.
    watched = [p for p in projects if p.stage in WATCHED]
    live = project_alerts(watched)
    stored = dict(Project.objects.filter(pk__in=[p.pk for p in watched]).values_list("pk", "alert_level"))
    assert stored == {pk: str(alert.level) for pk, alert in live.items()}
    assert not Project.objects.filter(stage__in=WATCHED).exclude(alert_date=timezone.localdate()).exists()


@pytest.mark.django_db
def test_generated_matters_replay_their_state_on_the_working_day_clocks() -> None:
    run("--count", "300", "--seed", "9")
    matters = list(Matter.objects.filter(code__startswith="SJ-").prefetch_related("events"))
    assert len(matters) == 300
    states = {m.state for m in matters}
    assert {"rated", "closed", "accepted", "draft", "cancelled"} <= states
    cal = current_calendar()
    for m in matters:
        events = sorted(m.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].action == "create"
        assert events[-1].to_state == m.state
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events))
        if m.state != "draft":
            assert m.received_on is not None
            assert m.handle_days is not None
            assert m.handle_deadline == cal.add_workdays(m.received_on, m.handle_days)[0]
            assert m.sign_deadline == cal.add_workdays(m.received_on, 1)[0]
        assert (m.closed_at is not None) == (m.state in {"closed", "rated"})
        assert bool(m.rating) == (m.state == "rated")
