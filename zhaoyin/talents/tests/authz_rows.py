"""Matrix rows for the talent records (tests/authz_matrix.py): pages, Excel, stations, API.

Who reads talents (docs/talent.md): the city-wide roles and the talent office every one, unit
roles those of their subtree (county A's personas get 404 for county B's talent), the talent
portal user their own record only (404 for any other, 403 on the staff pages and on every
write). Service members, enterprise users and the 三员 get 403. The leader reads only.
The unmasked ID and phone: the talent office and the city admin (reveal), the unmasked
export the talent office alone. Station pages: the city-wide roles, the talent office and the
station's own staff (county A's are not: 404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.authz_matrix import MATRIX, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role

#: Who reads talent records (the talent persona: its own only, see the rows).
STAFF_READERS = frozenset(CITY_WIDE_ROLES | UNIT_ROLES | {Role.TALENT_OFFICE})
EDITORS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
REVEAL = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE})
#: Not in the scope of county A's personas, nor the talent persona's.
OTHER_REGION = {**dict.fromkeys(UNIT_ROLES, 404), Role.TALENT: 404}
UNIT_404 = dict.fromkeys(UNIT_ROLES, 404)
#: Visible to the city-wide readers, not theirs to change.
READ_ONLY = {Role.LEADER: 403, Role.SUPERVISOR: 403}


@world_builder
def talents(w: World) -> None:
    from zhaoyin.talents import services
    from zhaoyin.talents.inputs import LeadInput
    from zhaoyin.talents.models import Talent
    from zhaoyin.talents.testing import make_talent

    # Another app's builder may have linked the persona first (an account has one record).
    w.extra["talent_own"] = Talent.objects.filter(account=w.user(Role.TALENT)).first() or make_talent(
        org_unit=w.units["county_a"], name="矩阵本人", account=w.user(Role.TALENT), phone="13900000001"
    )
    w.extra["talent_a"] = make_talent(org_unit=w.units["county_a"], name="矩阵甲", phone="13900000002")
    w.extra["talent_b"] = make_talent(org_unit=w.units["county_b"], name="矩阵乙", station=w.units["station"])
    w.extra["talent_lead"] = services.lead_create(
        acting_user=None, station=w.units["station"], data=LeadInput.of(name="矩阵线索", contacted_on="2025-03-01")
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _station(w: World) -> dict[str, Any]:
    return {"pk": w.units["station"].pk}


def _new_talent(w: World) -> dict[str, Any]:
    from zhaoyin.lib.idcard import make_resident

    return {"name": "矩阵新人", "id_type": "resident", "id_number": make_resident("340402", dt.date(1991, 2, 3), 77),
            "org_unit": w.units["county_a"].code, "education": "master", "title": "none", "channel": "employer"}


def _edit_a(w: World) -> dict[str, Any]:
    t = w.extra["talent_a"]
    return {"name": t.name, "id_type": t.id_type, "org_unit": t.org_unit.code, "education": "doctorate",
            "title": "none", "channel": "employer", "version": str(t.version)}


def _depart(w: World) -> dict[str, Any]:
    return {"departed_on": "2025-12-01", "version": str(w.extra["talent_a"].version)}


def _lead_form(w: World) -> dict[str, Any]:
    return {"name": "矩阵新线索", "education": "master", "contacted_on": "2025-04-01"}


def _lead_edit(w: World) -> dict[str, Any]:
    return {**_lead_form(w), "status": "negotiating", "version": "1"}


def _arrived(w: World) -> dict[str, Any]:
    return {"talent": str(w.extra["talent_b"].pk), "version": "1"}


def _import_batch_of_staff(w: World) -> dict[str, Any]:
    from zhaoyin.core.models import ImportBatch
    from zhaoyin.talents.importing import TalentImport

    batch = ImportBatch.objects.create(kind=TalentImport.kind, sha256="0" * 64, uploaded_by=w.user(Role.STAFF))
    return {"pk": batch.pk}


MATRIX += [
    # --- pages ------------------------------------------------------------------------------
    web("talents:list", allowed=STAFF_READERS),
    web("talents:detail", allowed=STAFF_READERS | {Role.TALENT}, kwargs=_pk("talent_a"),
        scope={Role.TALENT: 404}, label="county A"),
    web("talents:detail", allowed=STAFF_READERS | {Role.TALENT}, kwargs=_pk("talent_b"),
        scope=OTHER_REGION, label="county B"),
    web("talents:detail", allowed=STAFF_READERS | {Role.TALENT}, kwargs=_pk("talent_own"), label="the talent's own"),
    web("talents:mine", allowed={Role.TALENT}),
    web("talents:create", allowed=EDITORS),
    web("talents:create", "POST", allowed=EDITORS, ok=302, data=_new_talent),
    web("talents:edit", allowed=EDITORS | {Role.LEADER, Role.SUPERVISOR}, kwargs=_pk("talent_a"), scope=READ_ONLY,
        label="county A"),
    web("talents:edit", allowed=EDITORS, kwargs=_pk("talent_b"), scope=UNIT_404, label="county B"),
    web("talents:edit", "POST", allowed=EDITORS, ok=302, kwargs=_pk("talent_a"), data=_edit_a, label="county A"),
    web("talents:reveal", "POST", allowed=REVEAL, kwargs=_pk("talent_a")),
    web("talents:depart", "POST", allowed=EDITORS, ok=302, kwargs=_pk("talent_a"), data=_depart, label="county A"),
    web("talents:depart", "POST", allowed=EDITORS, ok=302, kwargs=_pk("talent_b"), data=_depart,
        scope=UNIT_404, label="county B"),
    # Linking a portal account: an unknown username is refused on the field (400) — the row
    # checks who reaches the judgement; test_pages links a real account.
    web("talents:link_account", "POST", allowed=EDITORS, ok=400, kwargs=_pk("talent_a"),
        data=lambda w: {"username": "no-such-user"}, label="county A"),
    web("talents:link_account", "POST", allowed=EDITORS, ok=400, kwargs=_pk("talent_b"),
        data=lambda w: {"username": "no-such-user"}, scope=UNIT_404, label="county B"),
    web("talents:export", allowed=STAFF_READERS),
    web("talents:export", allowed=STAFF_READERS, query="?unmasked=1",
        scope={r: 403 for r in STAFF_READERS - {Role.TALENT_OFFICE}}, label="unmasked"),
    web("talents:import", allowed=EDITORS),
    web("talents:import", "POST", allowed=EDITORS, ok=400, label="no file"),
    web("talents:import_template", allowed=EDITORS),
    web("talents:import_commit", "POST", allowed=EDITORS, ok=400, label="nothing to commit"),
    web("talents:import_result", allowed=EDITORS, kwargs=_import_batch_of_staff,
        scope={Role.CITY_ADMIN: 404, Role.UNIT_ADMIN: 404, Role.TALENT_OFFICE: 404}, label="staff's batch"),
    web("talents:import_errors", allowed=EDITORS, kwargs=_import_batch_of_staff,
        scope={Role.CITY_ADMIN: 404, Role.UNIT_ADMIN: 404, Role.TALENT_OFFICE: 404}, label="staff's batch"),
    # --- stations: county A's unit roles are not the station's staff ---------------------
    web("talents:station_list", allowed=STAFF_READERS),
    web("talents:station_detail", allowed=STAFF_READERS, kwargs=_station, scope=UNIT_404),
    web("talents:lead_create", allowed=EDITORS, kwargs=_station, scope=UNIT_404),
    web("talents:lead_create", "POST", allowed=EDITORS, ok=302, kwargs=_station, data=_lead_form, scope=UNIT_404),
    web("talents:lead_edit", allowed=EDITORS, kwargs=_pk("talent_lead"), scope=UNIT_404),
    web("talents:lead_edit", "POST", allowed=EDITORS, ok=302, kwargs=_pk("talent_lead"), data=_lead_edit,
        scope=UNIT_404),
    web("talents:lead_arrived", "POST", allowed=EDITORS, ok=302, kwargs=_pk("talent_lead"), data=_arrived,
        scope=UNIT_404),
    # --- API --------------------------------------------------------------------------------
    api("GET", "/api/v1/talents", allowed=STAFF_READERS | {Role.TALENT}),
    api("GET", "/api/v1/talents/{id}", allowed=STAFF_READERS | {Role.TALENT}, kwargs=_id("talent_a"),
        scope={Role.TALENT: 404}, label="county A"),
    api("GET", "/api/v1/talents/{id}", allowed=STAFF_READERS | {Role.TALENT}, kwargs=_id("talent_b"),
        scope=OTHER_REGION, label="county B"),
    api("GET", "/api/v1/talents/{id}", allowed=STAFF_READERS | {Role.TALENT}, kwargs=_id("talent_own"),
        label="the talent's own"),
    api("POST", "/api/v1/talents", allowed=EDITORS, ok=201, data=_new_talent),
    api("PATCH", "/api/v1/talents/{id}", allowed=EDITORS, kwargs=_id("talent_a"), data=lambda w: {"major": "物理"},
        label="county A"),
    api("PATCH", "/api/v1/talents/{id}", allowed=EDITORS, kwargs=_id("talent_b"), data=lambda w: {"major": "物理"},
        scope=UNIT_404, label="county B"),
    api("PATCH", "/api/v1/talents/{id}", allowed=EDITORS, kwargs=_id("talent_own"), data=lambda w: {"major": "物理"},
        label="the talent's own (read only for the talent)"),
    api("POST", "/api/v1/talents/{id}/reveal", allowed=REVEAL, kwargs=_id("talent_a")),
    # Linking a portal account through the API: an unknown username → 422 on the field for
    # whoever reaches the judgement (test_api links a real account); county B → 404.
    api("POST", "/api/v1/talents/{id}/account", allowed=EDITORS, ok=422, kwargs=_id("talent_a"),
        data=lambda w: {"username": "no-such-user"}, label="county A"),
    api("POST", "/api/v1/talents/{id}/account", allowed=EDITORS, ok=422, kwargs=_id("talent_b"),
        data=lambda w: {"username": "no-such-user"}, scope=UNIT_404, label="county B"),
]
