"""URL map. Every view carries an authorization rule (zhaoyin.core.authz); a test walks them."""

from django.urls import include, path

from config.api import api
from zhaoyin.core.authz import delegated_to_api

urlpatterns = [
    path("", include("zhaoyin.core.urls")),
    path("accounts/", include("zhaoyin.accounts.urls")),
    path("audit/", include("zhaoyin.audit.urls")),
    path("calendar/", include("zhaoyin.workcalendar.urls")),
    path("enterprises/", include("zhaoyin.enterprises.urls")),
]

# The API's URL patterns are one view per path; each operation enforces its own rule.
for pattern in api.urls[0]:
    pattern.callback = delegated_to_api(pattern.callback)  # type: ignore[attr-defined]
urlpatterns.append(path("api/v1/", api.urls))
