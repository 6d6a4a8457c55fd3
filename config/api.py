"""The REST API at /api/v1 (DESIGN 5.1), assembled from each app's router."""

from __future__ import annotations

from ninja import Router

from zhaoyin.accounts.api import router as accounts_router
from zhaoyin.accounts.api_auth import BearerAuth
from zhaoyin.apartments.api import applications_router as apartment_applications_router
from zhaoyin.apartments.api import buildings_router as apartment_buildings_router
from zhaoyin.apartments.api import tenancies_router as apartment_tenancies_router
from zhaoyin.apartments.api import units_router as apartment_units_router
from zhaoyin.catalog.api import editions_router as catalog_editions_router
from zhaoyin.catalog.api import items_router as catalog_items_router
from zhaoyin.core.api import DocumentedAPI, install_error_handlers, rule_before_parsing
from zhaoyin.core.todo_api import router as todo_router
from zhaoyin.enterprises.api import router as enterprises_router
from zhaoyin.matching.api import router as policy_matching_router
from zhaoyin.matching.policy_list_views import router as policy_list_router
from zhaoyin.matters.api import router as matters_router
from zhaoyin.mujun.api_inputs import router as mu_inputs_router
from zhaoyin.mujun.api_reports import router as mu_reports_router
from zhaoyin.mujun.api_runs import router as mu_runs_router
from zhaoyin.mujun.api_schemes import router as mu_schemes_router
from zhaoyin.payouts.api import me_router as payouts_me_router
from zhaoyin.payouts.api import router as payouts_router
from zhaoyin.payouts.application_api import router as subsidy_applications_router
from zhaoyin.policies.api import router as policies_router
from zhaoyin.projects.api import router as projects_router
from zhaoyin.recognition.api import router as recognition_router
from zhaoyin.talentprojects.api import me_router as my_talent_projects_router
from zhaoyin.talentprojects.api import router as talent_projects_router
from zhaoyin.talents.api import router as talents_router
from zhaoyin.targets.api import router as targets_router
from zhaoyin.visits.api import router as visits_router
from zhaoyin.workcalendar.api import router as calendar_router

api = DocumentedAPI(
    title="Zhaoyin API",
    version="1",
    urls_namespace="api",
    auth=BearerAuth(),
    docs_url=None,  # Swagger UI loads from a CDN; the intranet has none. openapi.json stays.
)
install_error_handlers(api)
# Each operation's role check runs right after authentication, before the body is parsed.
api.add_decorator(rule_before_parsing, mode="view")

#: Every router and the prefix it is mounted at (the URL walk reads the operations from here).
ROUTERS: list[tuple[str, Router]] = [
    ("", accounts_router),
    # /me/todo (full path): 我的待办.
    ("", todo_router),
    ("/calendar", calendar_router),
    ("/enterprises", enterprises_router),
    ("/talents", talents_router),
    ("/projects", projects_router),
    ("/matters", matters_router),
    ("/policies", policies_router),
    # /enterprises/{id}/policy-matches and /policies/{id}/eligible-enterprises (full paths).
    ("", policy_matching_router),
    ("/targets", targets_router),
    ("/catalog-items", catalog_items_router),
    ("/catalog-editions", catalog_editions_router),
    ("/visits", visits_router),
    ("/payouts", payouts_router),
    # /me/payouts (full paths): 我的补贴, the talent's own subsidies.
    ("", payouts_me_router),
    # 人才公寓 (issue 13): units, buildings, applications with their actions, tenancies.
    ("/apartments", apartment_units_router),
    ("/apartment-buildings", apartment_buildings_router),
    ("/apartment-applications", apartment_applications_router),
    ("/tenancies", apartment_tenancies_router),
    ("/talent-projects", talent_projects_router),
    # The talent's own applications (portal).
    ("/me/talent-projects", my_talent_projects_router),
    # /enterprises/{id}/policy-list.pdf and .docx (full paths).
    ("", policy_list_router),
    # /tier-rule-sets, /recognitions, /talents/{id}/recognitions, /me/recognitions (full paths).
    ("", recognition_router),
    # /me/subsidy-applications and /subsidy-applications (full paths): 人才补贴申请.
    ("", subsidy_applications_router),
    # 亩均论英雄 (issue 14): /mu-schemes, /mu-runs (+ results, actions), /enterprises/{id}/mu-results,
    # /mu-inputs, /mu-reports (full paths in each router).
    ("", mu_schemes_router),
    ("", mu_runs_router),
    ("", mu_inputs_router),
    ("", mu_reports_router),
]
for _prefix, _router in ROUTERS:
    api.add_router(_prefix, _router)
