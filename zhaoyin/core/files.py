"""Uploaded attachments: checking, storing under the data directory, removing (FILE-01..05).

Shared by every app that keeps user files (project evidence, matter attachments). A file is
checked whole before anything is written (count, size, type by its magic bytes, never by its
name), stored under a random hex name with owner-only permissions in a directory below
``settings.DATA_DIR`` (outside any web root), and served only through a scoped view. The
caller records each stored file in its own model; ``stored_uploads`` removes the written paths
if the change fails (RES-02).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.core.errors import InvalidInput

if TYPE_CHECKING:
    from zhaoyin.core.models import StoredFile

#: Largest attachment accepted (FILE-01); the messages say "20 MB".
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Most files on one change.
MAX_FILES = 10

#: An uploaded file as Django hands it to a view (its content read as bytes).
Upload = UploadedFile[bytes]


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, read into memory, with its sniffed type and its
    SHA-256 (computed here, when the upload is checked — before the write transaction that
    stores it opens, not inside it)."""

    original_name: str
    content: bytes
    content_type: str
    sha256: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.content).hexdigest())


PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#: The binary Office formats (OLE2 compound files), what offices still exchange daily.
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
#: WPS Office (金山) 文字 and 表格: the type names its Linux packages register.
WPS = "application/wps-office.wps"
ET = "application/wps-office.et"
#: 版式文档 (GB/T 33190-2016), the format of official electronic documents.
OFD = "application/ofd"

#: The extensions each allowed type may carry; the first one is given to a name without them.
_EXTENSIONS = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    DOC: (".doc",),
    XLS: (".xls",),
    PPT: (".ppt",),
    WPS: (".wps",),
    ET: (".et",),
    OFD: (".ofd",),
}
#: What a file is for its reader: a name whose extension belongs to one family must hold a
#: file of that family (a PDF named .doc is refused); inside a family a wrong extension is
#: corrected instead (a .docx package named .doc is kept as .docx, D11).
_FAMILIES = {
    PDF: "pdf",
    OFD: "ofd",
    JPEG: "image",
    PNG: "image",
    DOCX: "word",
    DOC: "word",
    WPS: "word",
    XLSX: "excel",
    XLS: "excel",
    ET: "excel",
    PPTX: "powerpoint",
    PPT: "powerpoint",
}
_BY_EXTENSION = {ext: content_type for content_type, exts in _EXTENSIONS.items() for ext in exts}
#: The ``accept`` attribute of a file input taking attachments (a hint to the browser's file
#: chooser only; the server checks the bytes).
ACCEPT = ",".join(_BY_EXTENSION)
#: The accepted types as the refusal names them (the forms' hints say the same).
ACCEPTED_TYPES_TEXT = gettext_lazy(
    "PDF, OFD, JPEG, PNG, Word (doc, docx, wps), Excel (xls, xlsx, et), PowerPoint (ppt, pptx)"
)

class AttachmentsInput(forms.ClearableFileInput):
    """The file input of attachments: several files, the chooser offering the accepted types
    (``accept`` is a hint to the browser only; ``check_uploads`` judges the bytes)."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": ACCEPT, **(attrs or {})})


#: OOXML packages told apart by their main part; a WPS name keeps its WPS type (newer WPS
#: Office saves .wps/.et as OOXML packages).
_ZIP_KINDS = {
    "word/document.xml": (DOCX, {".wps": WPS}),
    "xl/workbook.xml": (XLSX, {".et": ET}),
    "ppt/presentation.xml": (PPTX, {}),
}
#: An OLE2 compound file (MS-CFB): the binary Office formats and the older WPS ones.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream that makes an OLE file a Word, Excel (BIFF8 "Workbook", BIFF5 "Book") or
#: PowerPoint document.
_OLE_KINDS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS, "PowerPoint Document": PPT}
#: Storages that carry macros (Word's "Macros", Excel's "_VBA_PROJECT_CUR"): refused like a
#: macro workbook (FILE-02).
_OLE_MACROS = frozenset({"Macros", "_VBA_PROJECT_CUR", "VBA"})
_MAX_SECTOR = 0xFFFFFFFA  # sector numbers at or above are markers (end of chain, free …)


def _u32(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 4], "little")


def ole_entry_names(content: bytes) -> set[str] | None:
    """The names of the storages and streams in an OLE2 compound file's directory (MS-CFB),
    None when the file is not a well-formed one. Reads the header, the FAT and the directory
    chain only — never a stream — with every sector number and the chain length bounded."""
    if len(content) < 512 or not content.startswith(OLE_MAGIC):
        return None
    shift = int.from_bytes(content[0x1E:0x20], "little")
    if shift not in (9, 12):
        return None
    size = 1 << shift
    sectors = len(content) // size  # an upper bound on any chain's length

    def sector(number: int) -> bytes | None:
        data = content[(number + 1) * size : (number + 2) * size]
        return data if len(data) == size else None

    fat_sectors = [_u32(content, 0x4C + 4 * i) for i in range(109)]
    difat, hops = _u32(content, 0x44), 0
    while difat < _MAX_SECTOR:
        data = sector(difat)
        hops += 1
        if data is None or hops > sectors:
            return None
        fat_sectors += [_u32(data, 4 * i) for i in range(size // 4 - 1)]
        difat = _u32(data, size - 4)
    fat: list[int] = []
    for number in fat_sectors:
        if number >= _MAX_SECTOR:
            continue
        data = sector(number)
        if data is None:
            return None
        fat += [_u32(data, 4 * i) for i in range(size // 4)]
    names: set[str] = set()
    current, hops = _u32(content, 0x30), 0
    while current < _MAX_SECTOR:
        data = sector(current)
        hops += 1
        if data is None or hops > sectors or current >= len(fat):
            return None
        for offset in range(0, size, 128):
            entry = data[offset : offset + 128]
            length = int.from_bytes(entry[0x40:0x42], "little")
            # 1 storage, 2 stream, 5 root; the name's length counts its terminating NUL.
            if entry[0x42] in (1, 2, 5) and 2 <= length <= 64 and length % 2 == 0:
                names.add(entry[: length - 2].decode("utf-16-le", errors="replace"))
        current = fat[current]
    return names


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return "." + extension.lower() if dot and stem else ""


def _sniff_ole(content: bytes, extension: str) -> str | None:
    names = ole_entry_names(content)
    if names is None or names & _OLE_MACROS:
        return None
    kinds = {kind for stream, kind in _OLE_KINDS.items() if stream in names}
    if len(kinds) > 1:
        return None  # a Word, Excel or PowerPoint file has exactly one of the main streams
    wps = {".wps": (WPS, DOC), ".et": (ET, XLS)}.get(extension)
    if wps and kinds <= {wps[1]}:
        # WPS's own OLE layout is not published: within the family the extension decides.
        return wps[0]
    # Another family's stream in a WPS name is that family's file (check_uploads refuses the
    # mismatch); no main stream at all is no document.
    return kinds.pop() if kinds else None


def sniff_content_type(head: bytes, content: bytes, name: str = "") -> str | None:
    """The content type of an allowed file by its magic bytes, else None.

    PDF, JPEG and PNG by signature; OOXML (docx, xlsx, pptx) and OFD are ZIP packages told
    apart by their main part (``OFD.xml`` at the root for OFD); the binary Office formats are
    OLE2 compound files told apart by their main stream. ``name`` is read only where the bytes
    leave the choice open (a WPS file is an OLE file or a docx/xlsx package): the name the user
    gave never makes a file of another kind acceptable.
    """
    extension = _extension(name)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(content, extension)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if any("vbaproject" in n.lower() for n in names):
            return None  # a macro document (FILE-02)
        if "OFD.xml" in names:
            return OFD
        for part, (content_type, by_extension) in _ZIP_KINDS.items():
            if part in names:
                return by_extension.get(extension, content_type)
    return None


def extension_agrees(name: str, content_type: str) -> bool:
    """False when ``name`` ends in the extension of another family of file than
    ``content_type`` (a program renamed .doc, a PDF named .xls); a name without a known
    extension agrees (the stored name takes the type's, D11)."""
    claimed = _BY_EXTENSION.get(_extension(name))
    return claimed is None or _FAMILIES[claimed] == _FAMILIES[content_type]


def download_name(name: str, content_type: str) -> str:
    """The name a stored file keeps and downloads under: the user's name with the extension
    of the type sniffed from its bytes (issue 12 D11).

    A PDF uploaded as ``x.html`` becomes ``x.pdf``: the saved copy must not open in a browser
    or another program as the type its name claimed. A name that already carries one of the
    type's extensions (any case) is kept as it is.
    """
    allowed = _EXTENSIONS.get(content_type)
    if not allowed:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and "." + extension.lower() in allowed:
        return name
    base = stem if dot and stem else name
    return base[: 200 - len(allowed[0])] + allowed[0]


def display_name(name: str) -> str:
    """The user's file name, kept for display only: path parts and control characters dropped."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return base.strip()[:200] or "file"


def check_uploads(
    files: Sequence[Upload] | None,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_FILE_BYTES,
    field: str = "files",
) -> list[CheckedFile]:
    """Read and check every upload before anything is written (count, size, type).

    Bad input raises ``InvalidInput`` on ``field`` naming the file at fault.
    """
    checked: list[CheckedFile] = []
    if not files:
        return checked
    if len(files) > max_files:
        raise InvalidInput.field(field, _("At most %(n)d files per change.") % {"n": max_files})
    for upload in files:
        name = display_name(upload.name or "")
        if upload.size is not None and upload.size > max_bytes:
            raise InvalidInput.field(field, _("%(name)s is larger than 20 MB.") % {"name": name})
        upload.seek(0)
        content = upload.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise InvalidInput.field(field, _("%(name)s is larger than 20 MB.") % {"name": name})
        if not content:
            raise InvalidInput.field(field, _("%(name)s is empty.") % {"name": name})
        content_type = sniff_content_type(content[:16], content, name)
        if content_type is None:
            raise InvalidInput.field(
                field,
                _("%(name)s is not a file of an accepted type (%(types)s).")
                % {"name": name, "types": ACCEPTED_TYPES_TEXT},
            )
        if not extension_agrees(name, content_type):
            raise InvalidInput.field(
                field, _("The content of %(name)s is not the kind of file its extension says.") % {"name": name}
            )
        checked.append(
            CheckedFile(original_name=download_name(name, content_type), content=content, content_type=content_type)
        )
    return checked


@dataclass(frozen=True)
class ReadUploads:
    """A change's uploads, read, checked, sniffed and hashed before its write transaction
    opens (docs/architecture.md, "Transactions"). A refusal is kept, not raised: the service
    still reports it where it always did (after its permission and state checks, together
    with the other fields' errors) by calling ``checked()``."""

    files: tuple[CheckedFile, ...] = ()
    refusal: InvalidInput | None = None

    def checked(self) -> list[CheckedFile]:
        """The checked files, or the refusal raised."""
        if self.refusal is not None:
            raise self.refusal
        return list(self.files)


def read_uploads(
    files: Sequence[Upload] | None,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_FILE_BYTES,
    field: str = "files",
) -> ReadUploads:
    """``check_uploads`` for a service that checks its uploads before its transaction opens."""
    try:
        return ReadUploads(tuple(check_uploads(files, max_files=max_files, max_bytes=max_bytes, field=field)))
    except InvalidInput as exc:
        return ReadUploads(refusal=exc)


def file_dir(area: str) -> Path:
    """The directory of one kind of stored file: ``DATA_DIR/<area>``."""
    return Path(settings.DATA_DIR) / area


def stored_path(area: str, stored_name: str) -> Path:
    """The path of a stored file (the stored name is random hex, never user input)."""
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("bad stored name")
    return file_dir(area) / stored_name


def write_private(area: str, content: bytes, written: list[Path]) -> str:
    """Write ``content`` under a new random name in ``area`` and return the name.

    The path is appended to ``written`` as soon as the file exists, so the caller can remove
    it when its transaction fails.
    """
    directory = file_dir(area)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = secrets.token_hex(16)
    path = directory / stored_name
    # Readable by the service account only; O_EXCL: never overwrite another file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    written.append(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    return stored_name


def remove_files(paths: Iterable[Path]) -> None:
    """Remove written files (after a rollback); missing ones are fine."""
    for path in paths:
        path.unlink(missing_ok=True)


class UploadStore:
    """The files one change writes into ``area``; see ``stored_uploads``."""

    def __init__(self, area: str) -> None:
        self.area = area
        self.written: list[Path] = []

    def write(self, item: CheckedFile) -> dict[str, Any]:
        """Write ``item`` under a new random name; return the columns every attachment model
        keeps (``original_name``, ``stored_name``, ``content_type``, ``size``, ``sha256``)."""
        stored_name = write_private(self.area, item.content, self.written)
        return {
            "original_name": item.original_name,
            "stored_name": stored_name,
            "content_type": item.content_type,
            "size": len(item.content),
            "sha256": item.sha256,
        }


@contextmanager
def stored_uploads(area: str) -> Iterator[UploadStore]:
    """Store a change's uploads; if the block fails, remove what it wrote and re-raise (RES-02).

    Put the change's transaction inside the block (or run the block inside the service's
    ``@transaction.atomic``), so a failure that rolls the rows back also takes the files::

        with files_core.stored_uploads(FILE_AREA) as store:
            for item in checked:
                PolicyFile.objects.create(policy=policy, uploaded_by=user, **store.write(item))
            audit_write(...)
    """
    store = UploadStore(area)
    try:
        yield store
    except BaseException:
        remove_files(store.written)
        raise


def open_audited(
    path: Path, *, acting_user: Any, action: str, obj: Any, object_repr: str, detail: dict[str, Any]
) -> BinaryIO:
    """Open a stored file for ``acting_user`` to download, and audit the read (``action``).

    The caller has checked the scope. A file missing on disk raises ``OSError`` before anything
    is recorded (the caller answers 404); if the audit write fails, the handle is closed and
    nothing is served (AUD-04: fail closed)."""
    import json

    from zhaoyin.audit.services import audit_write

    handle = open(path, "rb")  # noqa: SIM115 - the response closes it
    try:
        audit_write(
            action=action,
            user=acting_user,
            obj=obj,
            object_repr=object_repr,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    except BaseException:
        handle.close()
        raise
    return handle


def open_attachment(
    file: StoredFile,
    *,
    area: str,
    acting_user: Any,
    action: str,
    owner_repr: str,
    owner: dict[str, object],
) -> BinaryIO:
    """Open an attachment stored in ``area`` for ``acting_user`` and audit the read (``action``):
    the record names the file (id, name, SHA-256) and what it belongs to (``owner_repr`` for
    people, ``owner`` for the detail, e.g. ``{"matter": 7, "matter_code": "JB2026-7"}``).
    ``file`` comes from the app's scoped selector; see ``open_audited``."""
    return open_audited(
        stored_path(area, file.stored_name),
        acting_user=acting_user,
        action=action,
        obj=file,
        object_repr=f"{owner_repr} {file.original_name}",
        detail={"file": file.pk, "name": file.original_name, "sha256": file.sha256, **owner},
    )


def attachment_response(handle: BinaryIO, *, filename: str, content_type: str) -> FileResponse:
    """A download of an uploaded file: an attachment with the type sniffed at upload, ``nosniff``
    and no caching, so a browser never renders it inside the application's origin (FILE-05)."""
    # Files stored before the name took the sniffed type's extension get it here (D11).
    name = download_name(filename, content_type)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
