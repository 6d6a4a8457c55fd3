"""Serving evidence files: only through the project's scope, always as a download (FILE-05)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.files import attachment_response
from zhaoyin.projects import selectors
from zhaoyin.projects.services import evidence_open, fund_evidence_open


@allow(selectors.READER_ROLES, description="Download a stage change's evidence file (project scope)")
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file of an evidence record whose project the user may see (else 404).

    Sent as an attachment with the type sniffed at upload and ``nosniff``, so a browser never
    renders an uploaded file inside the application's origin. Each download is audited; an
    out-of-scope id or a file missing on disk is a 404 and records no read.
    """
    user = request_user(request)
    evidence = selectors.evidence_get_for_user(user=user, pk=pk)
    try:
        handle = evidence_open(acting_user=user, evidence=evidence)
    except (OSError, ValueError):
        raise Http404 from None
    return attachment_response(handle, filename=evidence.original_name, content_type=evidence.content_type)


@allow(selectors.READER_ROLES, description="Download a funds entry's proof of arrival (project scope)")
def fund_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """The 到账凭证 of a funds entry whose project the user may see (else 404); served and
    audited like stage evidence."""
    user = request_user(request)
    evidence = selectors.fund_evidence_get_for_user(user=user, pk=pk)
    try:
        handle = fund_evidence_open(acting_user=user, evidence=evidence)
    except (OSError, ValueError):
        raise Http404 from None
    return attachment_response(handle, filename=evidence.original_name, content_type=evidence.content_type)
