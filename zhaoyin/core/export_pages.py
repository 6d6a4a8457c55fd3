"""Streaming a scoped, filtered list as .xlsx: the part every export view shares."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.import_pages import XLSX


def export_tempfile() -> IO[bytes]:
    """An anonymous temporary file under DATA_DIR: removed from disk as soon as it is closed
    (RES-02), so a streamed response leaves nothing behind, even on an exception."""
    directory = Path(settings.DATA_DIR) / "tmp"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return tempfile.TemporaryFile(dir=directory)


def timestamped_filename(prefix: str) -> str:
    return prefix + "-" + timezone.localtime().strftime("%Y%m%d-%H%M%S") + ".xlsx"


def xlsx_export_response(
    request: HttpRequest, *, write: Callable[[IO[bytes]], object], filename: str, back_url: str
) -> HttpResponseBase:
    """Run ``write`` (the app's export use case) into a spool file and stream it as an
    attachment; refused parameters go back to ``back_url`` with the reason, nothing written."""
    spool = export_tempfile()
    try:
        write(spool)
    except InvalidInput as exc:
        spool.close()
        messages.error(request, _("The export was refused: %(reason)s") % {"reason": exc.detail})
        return HttpResponseRedirect(back_url)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
