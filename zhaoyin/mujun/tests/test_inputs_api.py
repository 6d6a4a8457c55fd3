"""The inputs API (every answer also held to the OpenAPI document by the root conftest) and the
``zhaoyin mu import`` command."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.testing import db_fingerprint, fingerprint_changes
from zhaoyin.mujun.models import MuAdjustment, MuInput, ParcelHolding
from zhaoyin.mujun.sources import Source
from zhaoyin.mujun.tests.input_support import UNKNOWN_USCC, YEAR, MuWorld, commit, mu_world_fixture, workbook

mu_world = mu_world_fixture
BOOKKEEPING = ("audit.auditrecord", "audit.auditchainhead", "core.importbatch", "sessions.session", "accounts.apitoken")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def upload(client: Client, kind: str, content: bytes, **fields: object) -> object:
    data = {"source": kind, "year": YEAR, "file": SimpleUploadedFile("f.xlsx", content), **fields}
    return client.post("/api/v1/mu-inputs/imports", data)


def test_api_import_dry_run_then_commit(mu_world: MuWorld) -> None:
    w = mu_world
    client = api(w.office)
    content = workbook(Source.TAX, [[w.firm_a.uscc, "", 10], [w.firm_b.uscc, "", 20]])
    response = upload(client, "tax", content)
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    report = response.json()  # type: ignore[attr-defined]
    assert report["dry_run"] is True
    assert report["status"] == "preview"
    assert report["created"] == 2
    assert not MuInput.objects.exists()
    response = upload(client, "tax", content, dry_run="false")
    report = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert report["status"] == "committed"
    assert MuInput.objects.filter(source="tax", batch_id=report["batch"]).count() == 2


def test_api_import_with_row_errors_names_rows_and_changes_nothing(mu_world: MuWorld) -> None:
    w = mu_world
    client = api(w.office)
    content = workbook(Source.TAX, [[w.firm_a.uscc, "", 10], [UNKNOWN_USCC, "", 20]])
    before = db_fingerprint(exclude=BOOKKEEPING)
    response = upload(client, "tax", content, dry_run="false")
    assert response.status_code == 422  # type: ignore[attr-defined]
    errors = response.json()["errors"]  # type: ignore[attr-defined]
    assert errors[0]["field"] == "file"
    # The page's language words it ("row 3, …" / "第 3 行，…"): the row and the column are named.
    assert "3" in errors[0]["message"]
    assert "统一社会信用代码" in errors[0]["message"]
    assert fingerprint_changes(before, db_fingerprint(exclude=BOOKKEEPING)) == []
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


@pytest.mark.parametrize(("fields", "field"), [
    ({"source": "nosuch"}, "source"),
    ({"year": 1999}, "year"),
    ({"year": 2100}, "year"),
])
def test_api_import_bad_parameters(mu_world: MuWorld, fields: dict[str, object], field: str) -> None:
    w = mu_world
    response = upload(api(w.office), "tax", workbook(Source.TAX, [[w.firm_a.uscc, "", 1]]), **fields)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert [e["field"] for e in response.json()["errors"]] == [field]  # type: ignore[attr-defined]
    assert not ImportBatch.objects.exists()


def test_api_import_refused_file(mu_world: MuWorld) -> None:
    response = upload(api(mu_world.office), "tax", b"not a workbook")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["errors"][0]["field"] == "file"  # type: ignore[attr-defined]


def test_api_import_is_for_evaluators(mu_world: MuWorld) -> None:
    w = mu_world
    for user in (w.unit_a, w.leader, w.portal_a):
        assert upload(api(user), "tax", workbook(Source.TAX, [])).status_code == 403  # type: ignore[attr-defined]


def test_api_reads_are_scoped(mu_world: MuWorld) -> None:
    w = mu_world
    commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 10], [w.firm_b.uscc, "", 20],
                                                       [w.firm_park.uscc, "", 3]]))
    items = api(w.office).get("/api/v1/mu-inputs", {"year": YEAR}).json()
    assert items["count"] == 3
    scoped = api(w.unit_a).get("/api/v1/mu-inputs", {"year": YEAR}).json()
    assert {i["enterprise"]["id"] for i in scoped["items"]} == {w.firm_a.pk, w.firm_park.pk}
    own = api(w.portal_a).get("/api/v1/mu-inputs", {"year": YEAR, "enterprise": w.firm_b.pk}).json()
    assert own == {"count": 0, "items": []}
    one = api(w.office).get("/api/v1/mu-inputs", {"enterprise": w.firm_b.pk}).json()
    assert [(i["figure"], i["value"], i["source"]) for i in one["items"]] == [("tax", "20.0000", "tax")]


def test_api_firm_inputs_own_only(mu_world: MuWorld) -> None:
    w = mu_world
    commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 10], [w.firm_b.uscc, "", 20]]))
    mine = api(w.portal_a).get(f"/api/v1/enterprises/{w.firm_a.pk}/mu-inputs", {"year": YEAR})
    assert mine.status_code == 200
    body = mine.json()
    tax = next(f for f in body["figures"] if f["figure"] == "tax")
    assert (tax["status"], tax["value"], tax["source"]) == ("present", "10.0000", "tax")
    assert body["status"] == "missing"
    assert api(w.portal_a).get(f"/api/v1/enterprises/{w.firm_b.pk}/mu-inputs", {"year": YEAR}).status_code == 404
    assert api(w.unit_a).get(f"/api/v1/enterprises/{w.firm_b.pk}/mu-inputs", {"year": YEAR}).status_code == 404
    assert api(w.office).get(f"/api/v1/enterprises/{w.firm_b.pk}/mu-inputs").status_code == 422


def test_api_adjustments(mu_world: MuWorld) -> None:
    w = mu_world
    client = api(w.office)
    response = client.post("/api/v1/mu-adjustments", {"enterprise": w.firm_a.pk, "year": YEAR, "points": -3,
                                                      "reason": "安全生产事故"}, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["points"] == "-3.00"
    assert MuAdjustment.objects.get().points == Decimal("-3")
    cases: list[tuple[dict[str, object], str]] = [
        ({"points": 0}, "points"), ({"points": 25}, "points"), ({"reason": ""}, "reason"),
        ({"enterprise": 999_999}, "enterprise"), ({"year": 1990}, "year"),
    ]
    for body, field in cases:
        given = {"enterprise": w.firm_a.pk, "year": YEAR, "points": 1, "reason": "x", **body}
        refused = client.post("/api/v1/mu-adjustments", given, content_type="application/json")
        assert refused.status_code == 422, body
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert MuAdjustment.objects.count() == 1
    assert api(w.unit_a).delete(f"/api/v1/mu-adjustments/{created['id']}").status_code == 403
    assert client.delete(f"/api/v1/mu-adjustments/{created['id']}").status_code == 204
    assert client.delete(f"/api/v1/mu-adjustments/{created['id']}").status_code == 404
    assert not MuAdjustment.objects.exists()


# ---- the command line -----------------------------------------------------------------------------


def test_cli_import(mu_world: MuWorld, tmp_path: Path) -> None:
    w = mu_world
    path = tmp_path / "land.xlsx"
    path.write_bytes(workbook(Source.LAND, [["DK-5", "", "", 10, w.firm_a.uscc, "", "自有", 10]]))
    out = StringIO()
    call_command("mu", "import", "land", str(path), "--year", str(YEAR), "--dry-run", stdout=out)
    assert "would create 1" in out.getvalue()
    assert not ParcelHolding.objects.exists()
    call_command("mu", "import", "land", str(path), "--year", str(YEAR), "--user", w.office.username, stdout=out)
    assert ParcelHolding.objects.get().enterprise == w.firm_a


def test_cli_refuses_a_bad_file_with_the_row_errors(mu_world: MuWorld, tmp_path: Path) -> None:
    w = mu_world
    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook(Source.TAX, [[w.firm_a.uscc, "", -1], [UNKNOWN_USCC, "", 2]]))
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("mu", "import", "tax", str(path), "--year", str(YEAR), stderr=err)
    assert info.value.returncode == 2
    assert "nothing imported" in str(info.value)
    assert "row 2, 实缴税金（万元）" in err.getvalue()
    assert "row 3, 统一社会信用代码" in err.getvalue()
    assert not MuInput.objects.exists()


@pytest.mark.parametrize(("args", "words"), [
    (["nosuch", "FILE", "--year", "2025"], "source"),
    (["tax", "FILE", "--year", "1999"], "year"),
    (["tax", "missing.xlsx", "--year", "2025"], "file"),
    (["tax", "FILE", "--year", "2025", "--user", "nobody"], "user"),
])
def test_cli_bad_arguments(mu_world: MuWorld, tmp_path: Path, args: list[str], words: str) -> None:
    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook(Source.TAX, [[mu_world.firm_a.uscc, "", 1]]))
    given = [str(path) if a == "FILE" else str(tmp_path / a) if a == "missing.xlsx" else a for a in args]
    with pytest.raises(CommandError) as info:
        call_command("mu", "import", *given)
    assert info.value.returncode == 2
    assert str(info.value).startswith(words)
    assert not MuInput.objects.exists()


def test_cli_refuses_a_non_evaluator(mu_world: MuWorld, tmp_path: Path) -> None:
    path = tmp_path / "tax.xlsx"
    path.write_bytes(workbook(Source.TAX, [[mu_world.firm_a.uscc, "", 1]]))
    with pytest.raises(CommandError):
        call_command("mu", "import", "tax", str(path), "--year", str(YEAR), "--user", mu_world.unit_a.username)
    assert not MuInput.objects.exists()
