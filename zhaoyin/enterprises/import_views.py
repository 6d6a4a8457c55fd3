"""Enterprise Excel import and export pages: upload → preview → commit → result; template and
error-report downloads; export of the filtered list. Views only parse, call one use case and
render (style.md); the rules are in ``zhaoyin.core.importing`` and the enterprise modules."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.import_pages import ImportPages, xlsx_download
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.exporting import enterprise_export, export_filename
from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS, EnterpriseImport, enterprise_import_template
from zhaoyin.enterprises.selectors import READER_ROLES

IMPORT_ROLES = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
PAGES = ImportPages(
    spec=EnterpriseImport,
    kind=EnterpriseImport.kind,
    columns=ENTERPRISE_COLUMNS,
    list_url="enterprises:list",
    import_url="enterprises:import",
    commit_url="enterprises:import_commit",
    result_url="enterprises:import_result",
    template_url="enterprises:import_template",
    errors_url="enterprises:import_errors",
    section_label=gettext_lazy("Enterprises"),
    heading=gettext_lazy("Import enterprises from Excel"),
    back_label=gettext_lazy("Back to the enterprise list"),
    notes=(
        gettext_lazy(
            "Rows are matched on the unified social credit code: a new code creates an enterprise, a known one "
            "updates it; every column overwrites the stored value and an empty optional cell clears it."
        ),
        gettext_lazy("Credit codes and unit codes must be text cells, not numbers."),
        gettext_lazy("The same credit code twice in one file is an error on both rows."),
    ),
)
#: The import's routes (upload, commit, result, error report) with their rule.
IMPORT = PAGES.views(*IMPORT_ROLES)






@allow(*IMPORT_ROLES)
@require_GET
def enterprise_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template with a code sheet for the user's units."""
    return xlsx_download(enterprise_import_template(request_user(request)), "enterprise-import-template.xlsx")


@allow(READER_ROLES)
@require_GET
def enterprise_export_view(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered list as .xlsx: the list page's roles, selector and filters (XLS-03)."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: enterprise_export(acting_user=user, params=request.GET, out=out),
        filename=export_filename(),
        back_url=reverse("enterprises:list"),
    )
