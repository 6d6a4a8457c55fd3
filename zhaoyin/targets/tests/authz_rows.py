"""Matrix rows for targets (tests/authz_matrix.py), by region: progress and drill-downs are
read by the pipeline's readers within their scope (county A personas get 404 for county B's
records); only the city admin sets targets. The function-level rows are in tests/authz_rows.py."""

from __future__ import annotations

from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, api, web
from zhaoyin.core.roles import CITY_WIDE_ROLES, Role

CITY_ADMIN = {Role.CITY_ADMIN}
Q = "?org_unit={unit}&year=2026&as_of=2026-09-30"
READERS_OF_PIPELINE = READERS - {Role.SERVICE_MEMBER}
OUT_OF_SCOPE_B = dict.fromkeys(UNIT_SCOPED, 404)

MATRIX += [
    web(
        "targets:progress",
        allowed=READERS_OF_PIPELINE,
        query="?year=2026&indicator=signed_100m&as_of=2026-09-30",
        label="counts",
    ),
    # Issue 16 item 2: the progress table's print view (the page's roles and parameters).
    web("targets:print", allowed=READERS_OF_PIPELINE, query="?year=2026&indicator=signed_100m&as_of=2026-09-30"),
    web("targets:funds", allowed=READERS_OF_PIPELINE, query=Q.format(unit="340402"), label="own region"),
    web(
        "targets:funds",
        allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340403"),
        scope=OUT_OF_SCOPE_B,
        label="other region",
    ),
    web(
        "targets:projects",
        allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340402") + "&indicator=signed_100m",
        label="own region",
    ),
    web(
        "targets:projects",
        allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340403") + "&indicator=signed_100m",
        scope=OUT_OF_SCOPE_B,
        label="other region",
    ),
    web(
        "targets:talents",
        allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340402") + "&indicator=new_talents",
        label="own region",
    ),
    web(
        "targets:talents",
        allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340403") + "&indicator=new_talents_b",
        scope=OUT_OF_SCOPE_B,
        label="other region",
    ),
    # Issue 16 item 2: each drill-down's export, its page's roles, parameters and scope.
    web("targets:funds_export", allowed=READERS_OF_PIPELINE, query=Q.format(unit="340402"), label="own region"),
    web("targets:funds_export", allowed=READERS_OF_PIPELINE, query=Q.format(unit="340403"), scope=OUT_OF_SCOPE_B,
        label="other region"),
    web("targets:projects_export", allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340402") + "&indicator=signed_100m", label="own region"),
    web("targets:projects_export", allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340403") + "&indicator=signed_100m", scope=OUT_OF_SCOPE_B, label="other region"),
    web("targets:talents_export", allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340402") + "&indicator=new_talents", label="own region"),
    web("targets:talents_export", allowed=READERS_OF_PIPELINE,
        query=Q.format(unit="340403") + "&indicator=new_talents_b", scope=OUT_OF_SCOPE_B, label="other region"),
    web("targets:cycle_times", allowed=READERS_OF_PIPELINE, query="?by=industry", label="by industry"),
    web("targets:import", allowed=CITY_ADMIN),
    # Without a file the city admin's form is re-shown with the error (400); the rest are refused.
    web("targets:import", "POST", allowed=CITY_ADMIN, ok=400, label="no file"),
    web("targets:import_commit", "POST", allowed=CITY_ADMIN, ok=400, label="no batch"),
    web("targets:import_template", allowed=CITY_ADMIN),
    web(
        "targets:import_result",
        allowed=CITY_ADMIN,
        ok=404,
        kwargs=lambda w: {"pk": 999_999_999},
        label="no such import",
    ),
    web(
        "targets:set",
        "POST",
        allowed=CITY_ADMIN,
        ok=302,
        data=lambda w: {"year": "2026", "indicator": "producing", "org_unit": "340402", "value": "3"},
    ),
    api(
        "GET",
        "/api/v1/targets/progress",
        allowed=READERS_OF_PIPELINE,
        query="?year=2026&indicator=started_100m&as_of=2026-09-30",
        label="counts",
    ),
]

# ---- issue 15: ranking groups (city admin edits; readers read) and the targets report ----------
MATRIX += [
    web("targets:groups", allowed=CITY_ADMIN),
    web("targets:group_edit", allowed=CITY_ADMIN, query="?code=counties", label="a default group"),
    web("targets:group_edit", allowed=CITY_ADMIN, label="new group"),
    web(
        "targets:group_edit",
        "POST",
        allowed=CITY_ADMIN,
        ok=302,
        data=lambda w: {"code": "matrix", "name": "矩阵测试组", "order": "5", "min_matters": "1"},
    ),
    web("targets:group_delete", "POST", allowed=CITY_ADMIN, ok=404, data=lambda w: {"code": "nowhere"},
        label="no such group"),
    web("targets:export", allowed=READERS_OF_PIPELINE, query="?year=2026&indicator=external_funds&as_of=2026-09-30"),
    web("targets:bulletin", allowed=CITY_WIDE_ROLES, query="?year=2026&month=9&format=docx"),
    api("GET", "/api/v1/targets/groups", allowed=READERS_OF_PIPELINE),
    api(
        "PUT",
        "/api/v1/targets/groups/{code}",
        allowed=CITY_ADMIN,
        kwargs=lambda w: {"code": "matrix"},
        data=lambda w: {"name": "矩阵测试组", "members": []},
    ),
    api("DELETE", "/api/v1/targets/groups/{code}", allowed=CITY_ADMIN, ok=404, kwargs=lambda w: {"code": "nowhere"},
        label="no such group"),
    api(
        "GET",
        "/api/v1/targets/progress.xlsx",
        allowed=READERS_OF_PIPELINE,
        query="?year=2026&indicator=external_funds&as_of=2026-09-30",
    ),
    api("GET", "/api/v1/targets/bulletin", allowed=CITY_WIDE_ROLES, query="?year=2026&month=9&format=pdf"),
]
