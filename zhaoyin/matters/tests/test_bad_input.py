"""Bad input and the wrong person (issue 4 acceptance): a clear error naming the field (or the
state), and nothing changed — state, version, events, files, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import atomic_depths
from zhaoyin.matters import inputs, services
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import Action, State
from zhaoyin.matters.models import Matter, MatterEvent
from zhaoyin.matters.selectors import matter_get_for_user
from zhaoyin.matters.tests.conftest import MakeMatter, People, fingerprint

pytestmark = pytest.mark.django_db


def unchanged(matter: Matter, before: tuple[Any, ...]) -> None:
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.state, stored.version) == (matter.state, matter.version)
    assert MatterEvent.objects.filter(matter=matter).count() == 1  # only the registration
    assert fingerprint() == before


def refused_on(field: str, call: Callable[[], Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        call()
    # The error names the field (the API's {"field", "message"} entries).
    assert field in {e["field"] for e in exc.value.errors}, exc.value.errors
    assert all(e["message"] for e in exc.value.errors)
    return exc.value


# --------------------------------------------------------------------------- the acceptance list


def test_return_without_a_reason_or_a_suggested_unit(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    before = fingerprint()
    error = refused_on("reason", lambda: services.matter_return(acting_user=people.lead, matter=matter,
        data=inputs.ReturnInput.of(reason="  ", suggested_unit="")))
    assert {e["field"] for e in error.errors} == {"reason", "suggested_unit"}
    refused_on("suggested_unit", lambda: services.matter_return(acting_user=people.lead, matter=matter,
        data=inputs.ReturnInput.of(reason="职能不符", suggested_unit=None)))
    refused_on("suggested_unit", lambda: services.matter_return(acting_user=people.lead, matter=matter,
        data=inputs.ReturnInput.of(reason="职能不符", suggested_unit="no-such-unit")))
    refused_on("suggested_unit", lambda: services.matter_return(acting_user=people.lead, matter=matter,
        data=inputs.ReturnInput.of(reason="职能不符", suggested_unit="340402")))  # itself
    unchanged(matter, before)


def test_extension_after_the_deadline_is_refused(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 6))
    before = fingerprint()
    # The deadline ends at the close of 6 November in Shanghai (16:00 UTC).
    with time_machine.travel(dt.datetime(2026, 11, 6, 16, 0, 1, tzinfo=dt.UTC), tick=False):
        error = refused_on("handle_deadline", lambda: services.matter_request_extension(
            acting_user=people.lead, matter=matter,
            data=inputs.ExtensionRequestInput.of(days=3, reason="等待批复")))
    assert "届满前" in str(error.detail)
    unchanged(matter, before)
    with time_machine.travel(dt.datetime(2026, 11, 6, 23, 59, tzinfo=SHANGHAI), tick=False):
        services.matter_request_extension(acting_user=people.lead, matter=matter,
            data=inputs.ExtensionRequestInput.of(days=3, reason="等待批复"))


def test_rating_an_open_matter_is_a_conflict(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    before = fingerprint()
    with pytest.raises(Conflict) as exc:
        services.matter_rate(acting_user=people.requester, matter=matter, data=inputs.RateInput.of(rating="satisfied"))
    assert "办理中" in str(exc.value)
    assert "评价" in str(exc.value)
    unchanged(matter, before)


def test_a_co_unit_may_not_report_for_the_lead_unit(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    before = fingerprint()
    with pytest.raises(PermissionDenied) as exc:
        services.matter_report(acting_user=people.co, matter=matter, data=inputs.ReportInput.of(summary="已办结"))
    assert "办结反馈" in str(exc.value)
    unchanged(matter, before)
    # Through the selector the refusal is also audited.
    with pytest.raises(PermissionDenied):
        matter_get_for_user(user=people.co, pk=matter.pk, action=Action.REPORT)
    assert AuditRecord.objects.filter(action="matter.report_denied", actor="co", outcome="denied").count() == 1


@pytest.mark.parametrize("deadline", ["2026-11-24", dt.date(2026, 1, 1)])
def test_a_deadline_in_the_past_is_refused(people: People, make_matter: MakeMatter, deadline: Any) -> None:
    reform = make_matter(State.DRAFT, kind="reform")
    reported = make_matter(State.REPORTED)
    accepted = make_matter(State.ACCEPTED)
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI), tick=False):
        before = fingerprint()
        refused_on("handle_deadline", lambda: services.matter_assign(acting_user=people.dispatcher, matter=reform,
            data=inputs.AssignInput.of(handle_deadline=deadline)))
        refused_on("handle_deadline", lambda: services.matter_reject(acting_user=people.dispatcher, matter=reported,
            data=inputs.NewClockInput.of(reason="材料不全", handle_deadline=deadline)))
        refused_on("requested_deadline", lambda: services.matter_request_extension(
            acting_user=people.lead, matter=accepted,
            data=inputs.ExtensionRequestInput.of(requested_deadline=deadline, reason="x")))
    assert fingerprint() == before
    for matter in (reform, reported, accepted):
        assert Matter.objects.get(pk=matter.pk).state == matter.state


def test_unknown_kind_source_and_missing_title_are_each_named(people: People) -> None:
    before = fingerprint()
    error = refused_on("kind", lambda: services.matter_create(acting_user=people.lead,
        data=inputs.MatterCreateInput.of(title="", source="rumour", kind="gossip")))
    assert {e["field"] for e in error.errors} == {"title", "source", "kind"}
    assert fingerprint() == before


# --------------------------------------------------------------------------- more of each action


def test_assign_validates_units_days_and_the_reform_date(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.DRAFT)
    Matter.objects.filter(pk=matter.pk).update(lead_unit=None)
    matter.refresh_from_db()
    reform = make_matter(State.DRAFT, kind="reform")
    before = fingerprint()
    refused_on("lead_unit", lambda: services.matter_assign(acting_user=people.dispatcher, matter=matter,
        data=inputs.AssignInput.of()))
    refused_on("lead_unit", lambda: services.matter_assign(acting_user=people.dispatcher, matter=matter,
        data=inputs.AssignInput.of(lead_unit="nowhere")))
    for days in (0, -3, "abc", 251, True, 2.5):
        with pytest.raises(InvalidInput) as exc:
            services.matter_assign(acting_user=people.dispatcher, matter=matter,
                data=inputs.AssignInput.of(lead_unit="340402", handle_days=days))
        assert exc.value.errors[0]["field"] == "handle_days"
    refused_on("co_units", lambda: services.matter_assign(acting_user=people.dispatcher, matter=matter,
        data=inputs.AssignInput.of(lead_unit="340402", co_units=["340402"])))
    refused_on("co_units", lambda: services.matter_assign(acting_user=people.dispatcher, matter=matter,
        data=inputs.AssignInput.of(lead_unit="340402", co_units="dept-fgw")))
    refused_on("received_on", lambda: services.matter_assign(acting_user=people.dispatcher, matter=matter,
        data=inputs.AssignInput.of(lead_unit="340402", received_on="2099-01-01")))
    refused_on("received_on", lambda: services.matter_assign(acting_user=people.dispatcher, matter=matter,
        data=inputs.AssignInput.of(lead_unit="340402", received_on="2026-13-01")))
    refused_on("handle_deadline", lambda: services.matter_assign(acting_user=people.dispatcher, matter=reform,
        data=inputs.AssignInput.of()))
    refused_on("handle_deadline", lambda: services.matter_assign(acting_user=people.dispatcher, matter=reform,
        data=inputs.AssignInput.of(handle_deadline="31/12/2026")))
    assert fingerprint() == before


def test_a_county_dispatcher_assigns_only_within_its_subtree(people: People) -> None:
    matter = services.matter_create(acting_user=people.lead_admin,
        data=inputs.MatterCreateInput.of(title="园区道路", source="visit", kind="coordination"))
    before = fingerprint()
    refused_on("lead_unit", lambda: services.matter_assign(acting_user=people.lead_admin, matter=matter,
        data=inputs.AssignInput.of(lead_unit="340403")))
    refused_on("co_units", lambda: services.matter_assign(acting_user=people.lead_admin, matter=matter,
        data=inputs.AssignInput.of(lead_unit="park-a", co_units=["dept-fgw"])))
    assert fingerprint() == before
    services.matter_assign(acting_user=people.lead_admin, matter=matter, data=inputs.AssignInput.of(lead_unit="park-a"))
    assert Matter.objects.get(pk=matter.pk).state == State.ASSIGNED


def test_texts_are_required_where_the_table_says_so(people: People, make_matter: MakeMatter) -> None:
    accepted, reported, closed = make_matter(State.ACCEPTED), make_matter(State.REPORTED), make_matter(State.CLOSED)
    before = fingerprint()
    refused_on("summary", lambda: services.matter_report(acting_user=people.lead, matter=accepted,
        data=inputs.ReportInput.of(summary="")))
    refused_on("note", lambda: services.matter_progress(acting_user=people.co, matter=accepted,
        data=inputs.ProgressInput.of(note=None)))
    refused_on("reason", lambda: services.matter_reject(acting_user=people.dispatcher, matter=reported,
        data=inputs.NewClockInput.of(reason="")))
    refused_on("reason", lambda: services.matter_reopen(acting_user=people.dispatcher, matter=closed,
        data=inputs.NewClockInput.of(reason=" ")))
    refused_on("reason", lambda: services.matter_cancel(acting_user=people.dispatcher, matter=accepted,
        data=inputs.ReasonInput.of(reason="")))
    refused_on("summary", lambda: services.matter_report(acting_user=people.lead, matter=accepted,
        data=inputs.ReportInput.of(summary="x" * 4001)))
    refused_on("rating", lambda: services.matter_rate(acting_user=people.requester, matter=reported,
        data=inputs.RateInput.of(rating="ok")))
    assert fingerprint() == before


def test_extension_requests_need_one_of_days_or_a_later_date(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)  # due 2026-12-31
    before = fingerprint()
    refused_on("days", lambda: services.matter_request_extension(acting_user=people.lead, matter=matter,
        data=inputs.ExtensionRequestInput.of(reason="x")))
    refused_on("days", lambda: services.matter_request_extension(acting_user=people.lead, matter=matter,
        data=inputs.ExtensionRequestInput.of(reason="x", days=2, requested_deadline="2027-01-29")))
    refused_on("requested_deadline", lambda: services.matter_request_extension(acting_user=people.lead, matter=matter,
        data=inputs.ExtensionRequestInput.of(reason="x", requested_deadline="2026-12-30")))
    refused_on("reason", lambda: services.matter_request_extension(acting_user=people.lead, matter=matter,
        data=inputs.ExtensionRequestInput.of(reason="", days=2)))
    refused_on("approve", lambda: services.matter_answer_extension(acting_user=people.dispatcher, matter=matter,
        data=inputs.AnswerExtensionInput.of(approve="maybe")))
    assert fingerprint() == before


def test_draft_update_refuses_unknown_fields_and_non_drafts(people: People, make_matter: MakeMatter) -> None:
    draft, assigned = make_matter(State.DRAFT), make_matter(State.ASSIGNED)
    before = fingerprint()
    refused_on("colour", lambda: services.matter_update(
        acting_user=people.dispatcher, matter=draft,
            data=inputs.MatterUpdateInput.parse({"title": "新", "colour": "red"})))
    refused_on("kind", lambda: services.matter_update(acting_user=people.dispatcher, matter=draft,
        data=inputs.MatterUpdateInput.parse({"kind": "x"})))
    with pytest.raises(Conflict):
        services.matter_update(acting_user=people.dispatcher, matter=assigned,
            data=inputs.MatterUpdateInput.parse({"title": "新"}))
    with pytest.raises(Conflict):
        services.matter_update(acting_user=people.dispatcher, matter=draft,
            data=inputs.MatterUpdateInput.of(title="新", version=7))
    with pytest.raises(PermissionDenied):
        services.matter_update(acting_user=people.lead, matter=draft,
            data=inputs.MatterUpdateInput.parse({"title": "新"}))
    assert fingerprint() == before


def test_links_must_be_visible_to_the_registering_user(people: People) -> None:
    before = fingerprint()
    other = people.other_portal.enterprise_id
    refused_on("enterprise", lambda: services.matter_create(acting_user=people.requester,
        data=inputs.MatterCreateInput.of(title="x", source="enterprise_demand", kind="consultation", enterprise=other)))
    refused_on("project", lambda: services.matter_create(acting_user=people.requester,
        data=inputs.MatterCreateInput.of(title="x", source="project_obstacle", kind="coordination", project="XM-1")))
    refused_on("dispatcher_unit", lambda: services.matter_create(acting_user=people.lead,
        data=inputs.MatterCreateInput.of(title="x", source="visit", kind="coordination", dispatcher_unit="340403")))
    with pytest.raises(PermissionDenied):
        services.matter_create(acting_user=people.sysadmin,
            data=inputs.MatterCreateInput.of(title="x", source="visit", kind="coordination"))
    with pytest.raises(PermissionDenied):
        services.matter_create(acting_user=people.leader,
            data=inputs.MatterCreateInput.of(title="x", source="visit", kind="coordination"))
    assert fingerprint() == before


def test_bad_files_are_refused_and_nothing_is_written(people: People, make_matter: MakeMatter, file_root: Path) -> None:
    matter = make_matter(State.ACCEPTED)
    before = fingerprint()
    refused_on("files", lambda: services.matter_report(acting_user=people.lead, matter=matter,
        data=inputs.ReportInput.of(summary="已办结"), files=[SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf")]))
    refused_on("files", lambda: services.matter_create(acting_user=people.requester,
        data=inputs.MatterCreateInput.of(
            title="x",
            source="enterprise_demand",
            kind="consultation",
        ), files=[SimpleUploadedFile("empty.pdf", b"")]))
    assert fingerprint() == before
    assert not file_root.exists() or not any(file_root.iterdir())


def test_files_removed_when_the_transaction_rolls_back(
    people: People, make_matter: MakeMatter, file_root: Path, monkeypatch: Any
) -> None:
    matter = make_matter(State.ACCEPTED)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_write", broken)
    before = fingerprint()
    with pytest.raises(RuntimeError):
        services.matter_report(acting_user=people.lead, matter=matter,
            data=inputs.ReportInput.of(summary="已办结"), files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")])
    assert fingerprint() == before
    assert not file_root.exists() or not any(file_root.iterdir())


def test_out_of_scope_matters_are_not_found_for_actions_either(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    for user in (people.outsider, people.other_portal, people.sysadmin, people.park):
        with pytest.raises(Http404):
            matter_get_for_user(user=user, pk=matter.pk, action=Action.ACCEPT)


def test_d1_attachments_are_read_and_hashed_before_the_transaction(
    people: People, make_matter: MakeMatter, file_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 D1: reading, sniffing and hashing up to 10 × 20 MB of uploads happens before
    the write transaction opens (on SQLite it holds the one write lock); the rows and the
    stored files are written inside it, so a rollback still takes the files."""
    from zhaoyin.core import files as files_core

    matter = make_matter(State.ACCEPTED)
    depths = atomic_depths(
        monkeypatch, (files_core, "check_uploads"), (files_core.CheckedFile, "__post_init__"),
        (files_core, "write_private"),
    )
    pdf = b"%PDF-1.4\n%%EOF\n"
    services.matter_create(acting_user=people.requester, data=inputs.MatterCreateInput.of(
        title="用电增容", source="enterprise_demand", kind="consultation"), files=[SimpleUploadedFile("a.pdf", pdf)])
    services.matter_progress(acting_user=people.lead, matter=matter, data=inputs.ProgressInput.of(note="进展"),
                             files=[SimpleUploadedFile("b.pdf", pdf)])
    services.matter_report(acting_user=people.lead, matter=matter, data=inputs.ReportInput.of(summary="已办结"),
                           files=[SimpleUploadedFile("c.pdf", pdf)])
    assert depths["check_uploads"] == [0, 0, 0]
    assert depths["__post_init__"] == [0, 0, 0]
    assert depths["write_private"] == [1, 1, 1]


def test_d1_a_refused_file_still_answers_after_the_permission_check(
    people: People, make_matter: MakeMatter, file_root: Path
) -> None:
    """The files are read first, but a co-unit reporting with a bad file still gets 403."""
    matter = make_matter(State.ACCEPTED)
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        services.matter_report(acting_user=people.co, matter=matter, data=inputs.ReportInput.of(summary="x"),
                               files=[SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf")])
    assert fingerprint() == before
