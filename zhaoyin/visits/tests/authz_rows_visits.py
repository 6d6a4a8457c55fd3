"""Matrix rows for 百家企业行 (tests/authz_matrix.py): the service groups' pages, the
assignment and member import/export, visits (pages and API), their files, coverage.

Decisions (DESIGN 1 and 3.6): a visit is visible exactly when its enterprise is (county A's
unit personas see group 1's visit to enterprise A, not group 2's visit to county B's
enterprise B; the service member, in group 1, sees only group 1's); only a service member
records visits (city or county staff are not members: 403); the groups are managed by the
city administration; a group's page opens for the city-wide roles and for the group's leader
(the world makes the service member persona group 1's leader).
"""

from __future__ import annotations

import hashlib
from typing import Any

from tests.authz_matrix import MATRIX, api, web
from tests.world import World, world_builder
from zhaoyin.accounts.models import ServiceGroupMembership
from zhaoyin.core.roles import CITY_WIDE_ROLES, GOVERNMENT_ROLES, Role
from zhaoyin.matters import clocks
from zhaoyin.visits.models import Visit, VisitFile
from zhaoyin.visits.services import visit_file_path

_PNG = b"\x89PNG\r\n\x1a\n matrix photo"
GROUP_READERS = frozenset(CITY_WIDE_ROLES | {Role.SERVICE_MEMBER})
MANAGERS = (Role.CITY_ADMIN,)
MEMBER = (Role.SERVICE_MEMBER,)
#: Group 2's visit to county B's enterprise: only the city-wide roles see it.
SEES_B = dict.fromkeys((Role.UNIT_ADMIN, Role.STAFF, Role.SERVICE_MEMBER), 404)


@world_builder
def visits(w: World) -> None:
    member = w.user(Role.SERVICE_MEMBER)
    ServiceGroupMembership.objects.filter(group=w.units["group_1"], user=member).update(is_leader=True)
    day = clocks.today()
    for key, enterprise, group in (("a", w.enterprise_a, "group_1"), ("b", w.enterprise_b, "group_2")):
        visit = Visit.objects.create(
            enterprise=enterprise, group=w.units[group], visited_on=day, notes="矩阵走访", created_by=member
        )
        w.extra[f"visit_{key}"] = visit
        stored_name = f"{ord(key):032x}"  # fixed: rewritten identically on each run
        path = visit_file_path(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_PNG)
        w.extra[f"visit_file_{key}"] = VisitFile.objects.create(
            visit=visit, original_name="现场.png", stored_name=stored_name, content_type="image/png",
            size=len(_PNG), sha256=hashlib.sha256(_PNG).hexdigest(),
        )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _group(unit: str) -> Any:
    return lambda w: {"pk": w.units[unit].pk}


def _gaps(unit: str) -> Any:
    today = clocks.today()
    return lambda w: {"pk": w.units[unit].pk, "year": today.year, "quarter": (today.month - 1) // 3 + 1}


def _import_batch_of_admin(w: World) -> dict[str, Any]:
    from zhaoyin.core.models import ImportBatch
    from zhaoyin.visits.importing import AssignmentImport

    batch = ImportBatch.objects.create(kind=AssignmentImport.kind, sha256="0" * 64, uploaded_by=w.user(Role.CITY_ADMIN))
    return {"pk": batch.pk}


def _member_batch_of_admin(w: World) -> dict[str, Any]:
    from zhaoyin.core.models import ImportBatch
    from zhaoyin.visits.member_import import MemberImport

    batch = ImportBatch.objects.create(kind=MemberImport.kind, sha256="0" * 64, uploaded_by=w.user(Role.CITY_ADMIN))
    return {"pk": batch.pk}


def _visit_form(w: World) -> dict[str, Any]:
    return {
        "enterprise": str(w.enterprise_a.pk),
        "date": clocks.today().isoformat(),
        "notes": "矩阵走访",
        "demand-0-title": "矩阵诉求",
        "demand-0-kind": "consultation",
        "demand-0-description": "",
    }


def _visit_body(enterprise: str) -> Any:
    return lambda w: {
        "enterprise": getattr(w, f"enterprise_{enterprise}").pk,
        "date": clocks.today().isoformat(),
        "notes": "矩阵走访",
        "demands": [{"title": "矩阵诉求", "description": "", "kind": "consultation"}],
    }


MATRIX += [
    # --- groups ---------------------------------------------------------------------------
    web("visits:group_list", allowed=GROUP_READERS),
    web("visits:group_detail", allowed=GROUP_READERS, kwargs=_group("group_1"), label="group 1 (persona leads)"),
    web("visits:group_detail", allowed=GROUP_READERS, kwargs=_group("group_2"), scope={Role.SERVICE_MEMBER: 404},
        label="group 2"),
    web("visits:group_member_add", "POST", allowed=MANAGERS, ok=302, kwargs=_group("group_2"),
        data=lambda w: {"user": w.user(Role.SERVICE_MEMBER).username}),
    web("visits:group_member_remove", "POST", allowed=MANAGERS, ok=302, kwargs=_group("group_1"),
        data=lambda w: {"user": w.user(Role.SERVICE_MEMBER).username}),
    web("visits:group_assign", "POST", allowed=MANAGERS, ok=302, kwargs=_group("group_2"),
        data=lambda w: {"enterprise": w.enterprise_a.uscc}),
    web("visits:group_unassign", "POST", allowed=MANAGERS, ok=302, kwargs=_group("group_1"),
        data=lambda w: {"enterprise": str(w.enterprise_a.pk)}),
    web("visits:assign_import", allowed=MANAGERS),
    web("visits:assign_import", "POST", allowed=MANAGERS, ok=400, label="no file"),
    web("visits:assign_import_commit", "POST", allowed=MANAGERS, ok=400, label="nothing to commit"),
    web("visits:assign_import_result", allowed=MANAGERS, kwargs=_import_batch_of_admin),
    web("visits:assign_import_errors", allowed=MANAGERS, kwargs=_import_batch_of_admin),
    web("visits:assign_import_template", allowed=MANAGERS),
    web("visits:assign_export", allowed=CITY_WIDE_ROLES),
    web("visits:member_import", allowed=MANAGERS),
    web("visits:member_import", "POST", allowed=MANAGERS, ok=400, label="no file"),
    web("visits:member_import_commit", "POST", allowed=MANAGERS, ok=400, label="nothing to commit"),
    web("visits:member_import_result", allowed=MANAGERS, kwargs=_member_batch_of_admin),
    web("visits:member_import_errors", allowed=MANAGERS, kwargs=_member_batch_of_admin),
    web("visits:member_import_template", allowed=MANAGERS),
    web("visits:member_export", allowed=MANAGERS),
    # --- visits ---------------------------------------------------------------------------
    web("visits:visit_list", allowed=GOVERNMENT_ROLES),
    web("visits:visit_export", allowed=GOVERNMENT_ROLES),
    web("visits:visit_create", allowed=MEMBER),
    web("visits:visit_create", "POST", allowed=MEMBER, ok=302, data=_visit_form),
    web("visits:visit_detail", allowed=GOVERNMENT_ROLES, kwargs=_pk("visit_a"), label="group 1, county A"),
    web("visits:visit_detail", allowed=GOVERNMENT_ROLES, kwargs=_pk("visit_b"), scope=SEES_B,
        label="group 2, county B"),
    web("visits:visit_file", allowed=GOVERNMENT_ROLES, kwargs=_pk("visit_file_a"), label="group 1, county A"),
    web("visits:visit_file", allowed=GOVERNMENT_ROLES, kwargs=_pk("visit_file_b"), scope=SEES_B,
        label="group 2, county B"),
    # --- coverage -------------------------------------------------------------------------
    web("visits:coverage", allowed=GROUP_READERS),
    web("visits:coverage_gaps", allowed=GROUP_READERS, kwargs=_gaps("group_1"), label="group 1"),
    web("visits:coverage_gaps", allowed=GROUP_READERS, kwargs=_gaps("group_2"), scope={Role.SERVICE_MEMBER: 404},
        label="group 2"),
    # --- API ------------------------------------------------------------------------------
    api("GET", "/api/v1/visits", allowed=GOVERNMENT_ROLES),
    api("GET", "/api/v1/visits/{id}", allowed=GOVERNMENT_ROLES, kwargs=_id("visit_a"), label="group 1, county A"),
    api("GET", "/api/v1/visits/{id}", allowed=GOVERNMENT_ROLES, kwargs=_id("visit_b"), scope=SEES_B,
        label="group 2, county B"),
    api("POST", "/api/v1/visits", allowed=MEMBER, ok=201, data=_visit_body("a"), label="own group's enterprise"),
    # Another group's enterprise: the member is refused on the field, like a missing one.
    api("POST", "/api/v1/visits", allowed=MEMBER, ok=422, data=_visit_body("b"), label="group 2's enterprise"),
]
