"""Matrix rows for the project import pages and the month funds import page (tests/authz_matrix.py).

Imports are for the editor roles; an import batch is its uploader's (another editor gets 404).
"""

from __future__ import annotations

from typing import Any

from tests.authz_matrix import MATRIX, WRITERS, web
from tests.world import World
from zhaoyin.core.roles import Role


def _project_batch_of_staff(w: World) -> dict[str, Any]:
    from zhaoyin.core.models import ImportBatch
    from zhaoyin.projects.importing import ProjectImport

    batch = ImportBatch.objects.create(kind=ProjectImport.kind, sha256="0" * 64, uploaded_by=w.user(Role.STAFF))
    return {"pk": batch.pk}


MATRIX += [
    web("projects:import", allowed=WRITERS),
    web("projects:import", "POST", allowed=WRITERS, ok=400, label="no file"),
    web("projects:import_template", allowed=WRITERS),
    web("projects:import_commit", "POST", allowed=WRITERS, ok=400, label="nothing to commit"),
    web("projects:import_result", allowed=WRITERS, kwargs=_project_batch_of_staff,
        scope={Role.CITY_ADMIN: 404, Role.UNIT_ADMIN: 404}, label="staff's batch"),
    web("projects:funds_import", allowed=WRITERS),
    web("projects:funds_import", "POST", allowed=WRITERS, ok=400, data=lambda w: {"month": "2025-09"},
        label="no file"),
    web("projects:funds_import_template", allowed=WRITERS),
]
