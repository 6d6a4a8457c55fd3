"""The tailored 政策服务清单 as downloads: the pages' ``/enterprises/<id>/policy-list.pdf|.docx``
and the API's ``GET /api/v1/enterprises/{id}/policy-list.pdf|.docx`` (DESIGN 5.1).

The enterprise is fetched through ``enterprise_get_for_user`` (404 out of scope; the portal
user gets their own enterprise), then ``policy_list_docs.policy_list_export`` builds the
document and audits the export.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET
from ninja import Path, Router

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.core.authz import allow
from zhaoyin.core.fields import MAX_ID
from zhaoyin.enterprises.selectors import READER_ROLES, enterprise_get_for_user
from zhaoyin.matching.policy_list_docs import DOCX_TYPE, PDF_TYPE, policy_list_export, policy_list_filename

CONTENT_TYPES = {"pdf": PDF_TYPE, "docx": DOCX_TYPE}


def _download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    user = request_user(request)
    enterprise = enterprise_get_for_user(user=user, pk=pk)
    content = policy_list_export(acting_user=user, enterprise=enterprise, fmt=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = _disposition(policy_list_filename(enterprise, fmt))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _disposition(filename: str) -> str:
    """An attachment header that carries a Chinese file name (RFC 6266 / 5987)."""
    from urllib.parse import quote

    return f"attachment; filename=\"policy-list.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


@allow(READER_ROLES)
@require_GET
def policy_list_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's policy service list as PDF."""
    return _download(request, pk, "pdf")


@allow(READER_ROLES)
@require_GET
def policy_list_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's policy service list as Word."""
    return _download(request, pk, "docx")


#: Included by config/urls.py under /enterprises/ with the namespace "policy_list".
urlpatterns = [
    path("<int:pk>/policy-list.pdf", policy_list_pdf, name="pdf"),
    path("<int:pk>/policy-list.docx", policy_list_docx, name="docx"),
]

router = Router(tags=["enterprises"])
EnterpriseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Enterprise id.")]


@router.get("/enterprises/{id}/policy-list.pdf", response={200: None}, summary="Policy service list (PDF)")
@api_allow(READER_ROLES)
def policy_list_pdf_api(request: HttpRequest, id: EnterpriseId) -> HttpResponse:
    """The tailored 政策服务清单 of an enterprise as ``application/pdf``; 404 out of scope."""
    return _download(request, id, "pdf")


@router.get("/enterprises/{id}/policy-list.docx", response={200: None}, summary="Policy service list (Word)")
@api_allow(READER_ROLES)
def policy_list_docx_api(request: HttpRequest, id: EnterpriseId) -> HttpResponse:
    """The tailored 政策服务清单 of an enterprise as a Word document; 404 out of scope."""
    return _download(request, id, "docx")
