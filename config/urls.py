"""URL map. Every view carries an authorization rule (zhaoyin.core.authz); a test walks them."""

from django.urls import URLPattern, include, path

from config.api import api
from zhaoyin.core.authz import delegated_to_api

urlpatterns = [
    path("", include("zhaoyin.core.urls")),
    path("accounts/", include("zhaoyin.accounts.urls")),
    path("audit/", include("zhaoyin.audit.urls")),
    path("calendar/", include("zhaoyin.workcalendar.urls")),
    path("enterprises/", include("zhaoyin.enterprises.urls")),
    path("talents/", include("zhaoyin.talents.urls")),
    path("targets/", include("zhaoyin.targets.urls")),
    path("cockpit/", include("zhaoyin.cockpit.urls")),
    path("projects/", include("zhaoyin.projects.urls")),
    path("catalog/", include("zhaoyin.catalog.urls")),
    path("inbox/", include("zhaoyin.notifications.urls")),
    path("matters/", include("zhaoyin.matters.urls")),
    # Matching pages under both areas: /enterprises/<id>/policies/, /policies/<id>/eligible/.
    path("", include("zhaoyin.matching.urls")),
    path("service/", include("zhaoyin.visits.urls")),
    path("policies/", include("zhaoyin.policies.urls")),
    path("payouts/", include("zhaoyin.payouts.urls")),
    path("recognition/", include("zhaoyin.recognition.urls")),
    path("mujun/", include("zhaoyin.mujun.urls")),
    path("apartments/", include("zhaoyin.apartments.urls")),
    path("talent-projects/", include("zhaoyin.talentprojects.urls")),
    # /enterprises/<id>/policy-list.pdf and .docx (the tailored 政策服务清单).
    path("enterprises/", include(("zhaoyin.matching.policy_list_views", "policy_list"))),
]

# The API's URL patterns are one view per path; each operation enforces its own rule.
# `api.urls` builds new patterns on every access: mark and include the same list.
api_urls = api.urls
for pattern in api_urls[0]:
    if isinstance(pattern, URLPattern) and pattern.callback is not None:
        pattern.callback = delegated_to_api(pattern.callback)
urlpatterns.append(path("api/v1/", api_urls))

# A generic error page naming the request id, never a traceback (CFG-02).
handler500 = "zhaoyin.accounts.error_views.server_error"
