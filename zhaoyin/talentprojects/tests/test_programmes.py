"""Programmes and rounds (人才项目, 申报批次): the talent office's pages and API. Bad input names
the field and changes nothing; a stale version or an inactive programme is 409; unit staff
read, never write (403)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import bad_values, refused
from zhaoyin.talentprojects import services
from zhaoyin.talentprojects.inputs import (
    ProgrammeInput,
    ProgrammeUpdateInput,
    RoundInput,
    RoundUpdateInput,
    TalentProjectInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def office(make_user: MakeUser) -> User:
    return make_user(Role.TALENT_OFFICE, "city")


@pytest.fixture
def staff(make_user: MakeUser) -> User:
    return make_user(Role.STAFF, "county_a")


@pytest.fixture
def programme(office: User) -> Programme:
    return services.programme_create(acting_user=office, data=ProgrammeInput.of(
        code="ptyc", name="平台引才奖补", level="city", sponsor="市委组织部人才科", max_funding_wan="500"))


def _round(office: User, programme: Programme, **values: Any) -> ProgrammeRound:
    data = {"year": TODAY.year, "name": "第一批", "opens_on": (TODAY - dt.timedelta(days=10)).isoformat(),
            "closes_on": (TODAY + dt.timedelta(days=10)).isoformat()} | values
    return services.round_create(acting_user=office, programme=programme, data=RoundInput.of(**data))


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def test_the_office_creates_and_changes_a_programme_and_its_rounds(office: User, programme: Programme) -> None:
    assert (programme.code, programme.max_funding_wan, programme.is_active, programme.version) == (
        "ptyc", Decimal(500), True, 1)
    rnd = _round(office, programme)
    changed = services.programme_update(acting_user=office, programme=programme, data=ProgrammeUpdateInput.of(
        name="平台引才奖补（2027）", max_funding_wan=None, version=1))
    assert (changed.name, changed.max_funding_wan, changed.version, changed.code) == (
        "平台引才奖补（2027）", None, 2, "ptyc")
    moved = services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(
        closes_on=(TODAY + dt.timedelta(days=30)).isoformat(), version=1))
    assert (moved.closes_on, moved.version, moved.name) == (TODAY + dt.timedelta(days=30), 2, "第一批")
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"talent_project.programme_create", "talent_project.programme_update", "talent_project.round_create",
            "talent_project.round_update"} <= actions


@pytest.mark.parametrize(("values", "field"), [
    *bad_values({"code": ["", "带中文", "a b", "x" * 41], "name": ["", "名" * 101], "level": ["", "county"],
                 "max_funding_wan": ["0", "-5", "1.234", "abc"], "is_active": ["maybe"]}),
    ({"code": "ptyc"}, "code"),  # another programme's code
])
def test_AC_04_bad_programmes_name_the_field_and_change_nothing(
    office: User, programme: Programme, values: dict[str, Any], field: str
) -> None:
    data = {"code": "new-one", "name": "新项目", "level": "province"} | values
    with refused(InvalidInput, fields={field}):
        services.programme_create(acting_user=office, data=ProgrammeInput.parse(data))


@pytest.mark.parametrize(("values", "field"), [
    *bad_values({"year": ["1999", "abc"], "name": ["", "名" * 101], "opens_on": ["", "2026-02-30"],
                 "closes_on": ["", "tomorrow"]}),
    ({"closes_on": (TODAY - dt.timedelta(days=11)).isoformat()}, "closes_on"),  # before it opens
    ({"name": "第一批"}, "name"),  # the programme has a round of this name
])
def test_AC_04_bad_rounds_name_the_field_and_change_nothing(
    office: User, programme: Programme, values: dict[str, Any], field: str
) -> None:
    _round(office, programme)
    data = {"year": TODAY.year, "name": "第二批", "opens_on": (TODAY - dt.timedelta(days=10)).isoformat(),
            "closes_on": (TODAY + dt.timedelta(days=10)).isoformat()} | values
    with refused(InvalidInput, fields={field}):
        services.round_create(acting_user=office, programme=programme, data=RoundInput.parse(data))


def test_a_window_keeps_the_applications_it_holds(office: User, programme: Programme,
                                                  org_tree: dict[str, OrgUnit]) -> None:
    rnd = _round(office, programme)
    talent = make_talent(org_unit=org_tree["county_a"], name="甲")
    services.project_create(acting_user=office, data=TalentProjectInput.of(
        round=rnd.pk, talent=talent.pk, title="中试平台", requested_wan="100",
        applied_on=(TODAY - dt.timedelta(days=5)).isoformat()))
    with refused(InvalidInput, fields={"opens_on"}):
        services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(
            opens_on=(TODAY - dt.timedelta(days=4)).isoformat()))
    with refused(InvalidInput, fields={"closes_on"}):
        services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(
            closes_on=(TODAY - dt.timedelta(days=6)).isoformat()))
    with refused(InvalidInput, fields={"name"}):
        services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(name=" "))


def test_CONC_01_a_stale_version_is_409_and_changes_nothing(office: User, programme: Programme) -> None:
    rnd = _round(office, programme)
    services.programme_update(acting_user=office, programme=programme, data=ProgrammeUpdateInput.of(sponsor="x"))
    with refused(Conflict):
        services.programme_update(acting_user=office, programme=programme,
                                  data=ProgrammeUpdateInput.of(name="旧名", version=1))
    services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(year=TODAY.year + 1))
    with refused(Conflict):
        services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(name="旧批次", version=1))


def test_an_inactive_programme_opens_no_round_and_its_rounds_stay(office: User, programme: Programme) -> None:
    rnd = _round(office, programme)
    services.programme_update(acting_user=office, programme=programme,
                              data=ProgrammeUpdateInput.of(is_active=False))
    with refused(Conflict):
        _round(office, programme, name="第二批")
    with refused(Conflict):
        services.round_update(acting_user=office, round=rnd, data=RoundUpdateInput.of(
            closes_on=(TODAY + dt.timedelta(days=40)).isoformat()))


def test_AC_02_unit_staff_do_not_set_up_programmes(staff: User, programme: Programme) -> None:
    with refused(PermissionDenied):
        services.programme_create(acting_user=staff, data=ProgrammeInput.of(code="x", name="x", level="city"))
    with refused(PermissionDenied):
        services.programme_update(acting_user=staff, programme=programme, data=ProgrammeUpdateInput.of(name="x"))
    with refused(PermissionDenied):
        services.round_create(acting_user=staff, programme=programme, data=RoundInput.of(
            year=TODAY.year, name="x", opens_on=TODAY.isoformat(), closes_on=TODAY.isoformat()))


def test_pages_list_create_and_edit(office: User, staff: User, programme: Programme) -> None:
    client = _web(office)
    page = client.get(reverse("talentprojects:programme_list"))
    assert page.status_code == 200
    assert "平台引才奖补" in page.content.decode()
    created = client.post(reverse("talentprojects:programme_create"), {
        "code": "tzjh", "name": "安徽省特支计划", "level": "province", "sponsor": "", "max_funding_wan": "",
        "is_active": "yes"})
    new = Programme.objects.get(code="tzjh")
    assert created.status_code == 302
    assert created["Location"] == reverse("talentprojects:programme_detail", args=[new.pk])
    assert new.max_funding_wan is None
    for posted, field in (({"code": "new", "name": ""}, "name"), ({"code": "tzjh", "name": "重复"}, "code")):
        bad = client.post(reverse("talentprojects:programme_create"), posted | {"level": "city", "is_active": "yes"})
        assert bad.status_code == 400
        assert set(bad.context["form"].errors) == {field}
    assert Programme.objects.count() == 2
    edited = client.post(reverse("talentprojects:programme_edit", args=[new.pk]), {
        "name": "安徽省特支计划", "level": "province", "sponsor": "省委组织部", "max_funding_wan": "200",
        "is_active": "no", "version": "1", "code": "changed"})
    assert edited.status_code == 302
    saved = Programme.objects.get(pk=new.pk)
    assert (saved.code, saved.sponsor, saved.max_funding_wan, saved.is_active) == (
        "tzjh", "省委组织部", Decimal(200), False)
    stale = client.post(reverse("talentprojects:programme_edit", args=[new.pk]), {
        "name": "又改", "level": "province", "is_active": "yes", "version": "1"})
    assert stale.status_code == 400
    assert stale.context["form"].non_field_errors()
    assert Programme.objects.get(pk=new.pk).name == "安徽省特支计划"
    # Rounds: a new one, a bad window named, an edit.
    url = reverse("talentprojects:round_create", args=[programme.pk])
    window = {"year": str(TODAY.year), "name": "第一批", "opens_on": TODAY.isoformat()}
    bad = client.post(url, window | {"closes_on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"closes_on"}
    assert not ProgrammeRound.objects.exists()
    assert client.post(url, window | {"closes_on": TODAY.isoformat()}).status_code == 302
    rnd = ProgrammeRound.objects.get()
    detail = client.get(reverse("talentprojects:programme_detail", args=[programme.pk]))
    assert "第一批" in detail.content.decode()
    assert client.get(reverse("talentprojects:round_edit", args=[rnd.pk])).status_code == 200
    moved = client.post(reverse("talentprojects:round_edit", args=[rnd.pk]), window | {
        "closes_on": (TODAY + dt.timedelta(days=5)).isoformat(), "version": "1"})
    assert moved.status_code == 302
    rnd.refresh_from_db()
    assert rnd.closes_on == TODAY + dt.timedelta(days=5)
    # An inactive programme: the round's form says why, nothing opened.
    inactive = client.post(reverse("talentprojects:round_create", args=[new.pk]), window | {
        "closes_on": TODAY.isoformat()})
    assert inactive.status_code == 400
    assert inactive.context["form"].non_field_errors()
    assert not new.rounds.exists()
    # Unit staff read the programmes, and get no button to change them.
    read = _web(staff).get(reverse("talentprojects:programme_detail", args=[programme.pk]))
    assert read.status_code == 200
    assert 'id="programme-edit"' not in read.content.decode()


def test_api_programmes_and_rounds(office: User, staff: User, programme: Programme) -> None:
    client = _api(office)
    listed = client.get("/api/v1/talent-projects/programmes")
    assert listed.status_code == 200
    assert [p["code"] for p in listed.json()["items"]] == ["ptyc"]
    created = client.post("/api/v1/talent-projects/programmes", {
        "code": "ljrc", "name": "淮南市领军人才计划", "level": "city", "max_funding_wan": 120.5},
        content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["max_funding_wan"], body["is_active"], body["version"], body["rounds"]) == ("120.50", True, 1, [])
    pid = body["id"]
    bad = client.post("/api/v1/talent-projects/programmes", {"code": "ljrc", "name": "x", "level": "city"},
                      content_type="application/json")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["code"]
    patched = client.patch(f"/api/v1/talent-projects/programmes/{pid}", {"max_funding_wan": None, "version": 1},
                           content_type="application/json")
    assert patched.status_code == 200
    assert (patched.json()["max_funding_wan"], patched.json()["version"]) == (None, 2)
    stale = client.patch(f"/api/v1/talent-projects/programmes/{pid}", {"name": "旧", "version": 1},
                         content_type="application/json")
    assert stale.status_code == 409
    opened = client.post(f"/api/v1/talent-projects/programmes/{pid}/rounds", {
        "year": TODAY.year, "name": "2027年度", "opens_on": TODAY.isoformat(), "closes_on": TODAY.isoformat()},
        content_type="application/json")
    assert opened.status_code == 201, opened.content
    rid = opened.json()["id"]
    backwards = client.patch(f"/api/v1/talent-projects/rounds/{rid}", {
        "opens_on": (TODAY + dt.timedelta(days=1)).isoformat()}, content_type="application/json")
    assert backwards.status_code == 422
    assert [e["field"] for e in backwards.json()["errors"]] == ["closes_on"]
    assert ProgrammeRound.objects.get(pk=rid).opens_on == TODAY
    moved = client.patch(f"/api/v1/talent-projects/rounds/{rid}", {
        "closes_on": (TODAY + dt.timedelta(days=3)).isoformat(), "version": 1}, content_type="application/json")
    assert (moved.status_code, moved.json()["version"]) == (200, 2)
    detail = client.get(f"/api/v1/talent-projects/programmes/{pid}")
    assert [r["name"] for r in detail.json()["rounds"]] == ["2027年度"]
    assert client.get("/api/v1/talent-projects/programmes/999999").status_code == 404
    # Unit staff read, never write.
    unit = _api(staff)
    assert unit.get(f"/api/v1/talent-projects/programmes/{pid}").status_code == 200
    assert unit.patch(f"/api/v1/talent-projects/programmes/{pid}", {"name": "x"},
                      content_type="application/json").status_code == 403
    assert Programme.objects.get(pk=pid).name == "淮南市领军人才计划"


def test_programme_list_export_is_the_pages_rows(office: User, programme: Programme, settings: Any,
                                                 tmp_path: Any) -> None:
    """Issue 16 item 2: the programmes page's rows, in its order, with Chinese headers."""
    import io
    import json

    import openpyxl

    settings.DATA_DIR = tmp_path
    services.programme_create(acting_user=office, data=ProgrammeInput.of(
        code="old", name="停用的计划", level="city", is_active="no"))
    client = _web(office)
    page = client.get(reverse("talentprojects:programme_list"))
    assert f'href="{reverse("talentprojects:programme_export")}?"' in page.content.decode()
    expected = [(p.code, p.round_count) for p in page.context["rows"]]
    assert len(expected) == 2
    response = client.get(reverse("talentprojects:programme_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert [(r[0], r[5]) for r in rows[1:]] == expected
    assert rows[2][6] == "停用"
    detail = json.loads(AuditRecord.objects.filter(action="programme.export").latest("id").detail)
    assert detail["rows"] == 2
