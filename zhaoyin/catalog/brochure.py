"""The printed brochure (PDF via WeasyPrint) and the Excel export of an edition.

The brochure is a Chinese print product: rendered under zh-hans whatever the reader's UI
language, with "Noto Sans CJK SC" named in the stylesheet (platform-notes "Chinese text").
WeasyPrint fetches nothing from the network: its url_fetcher serves files under the
package's static directory and refuses everything else.

A published edition is frozen, so its PDF is generated once and kept under
``settings.GENERATED_DIR/catalog``; drafts are rendered on each request.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.catalog.models import CatalogEdition, CatalogItem, EditionStatus
from zhaoyin.catalog.selectors import edition_entries, mask_phone
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()
STYLESHEET = "css/catalog-brochure.css"
BROCHURE_LANGUAGE = "zh-hans"
DEFAULT_CITY = "淮南市"


def local_url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """Serve ``file://`` URLs inside the static directory only; refuse the network and the rest
    of the file system (a stray URL in an item's text must not make the server fetch it).

    The path is percent-decoded before it is checked, and the file read is the one checked:
    a check on the undecoded text let ``%2F..%2F`` walk out of the directory (issue 12, D10).
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused to fetch {url!r}: the brochure uses local static files only")
    raw = unquote(parts.path)
    # Once decoded, no escape may remain (a double-encoded name) and no step may go up.
    if "%" in raw or "\\" in raw or "\x00" in raw or ".." in PurePosixPath(raw).parts:
        raise ValueError(f"refused to fetch {url!r}: not a plain path")
    path = Path(raw).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        raise ValueError(f"refused to fetch {url!r}: not a file of the static directory")
    mime_type, _encoding = mimetypes.guess_type(path.name)
    return {
        "string": path.read_bytes(),
        "mime_type": mime_type or "application/octet-stream",
        "redirected_url": path.as_uri(),
    }


@dataclass
class BrochureEntry:
    """An item with its running number in the brochure."""

    number: int
    item: CatalogItem


@dataclass
class IndustryGroup:
    """The edition's items of one industry, in the edition's order (a contents section)."""

    name: str
    entries: list[BrochureEntry]


def _city_name() -> str:
    city = OrgUnit.objects.filter(kind=OrgUnitKind.CITY, parent__isnull=True).order_by("pk").first()
    return city.name if city is not None else DEFAULT_CITY


def grouped_entries(edition: CatalogEdition) -> list[IndustryGroup]:
    """Items grouped by industry (the dictionary's order), each group in the edition's order."""
    entries = edition_entries(edition)
    entries.sort(key=lambda e: (e.item.industry.sort_order, e.item.industry.code, e.sort_order))
    groups: list[IndustryGroup] = []
    for number, entry in enumerate(entries, start=1):
        if not groups or groups[-1].name != entry.item.industry.name:
            groups.append(IndustryGroup(entry.item.industry.name, []))
        groups[-1].entries.append(BrochureEntry(number, entry.item))
    return groups


def brochure_html(edition: CatalogEdition) -> str:
    """The brochure's HTML (cover, contents by industry, one page per project)."""
    groups = grouped_entries(edition)
    with translation.override(BROCHURE_LANGUAGE):
        return render_to_string(
            "catalog/brochure.html",
            {
                "edition": edition,
                "city": _city_name(),
                "groups": groups,
                "item_count": sum(len(g.entries) for g in groups),
                "stylesheet": STYLESHEET,
            },
        )


def render_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint, relative URLs resolved against the static directory."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=local_url_fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def _cache_path(edition: CatalogEdition) -> Path:
    stamp = edition.published_at.strftime("%Y%m%d%H%M%S%f") if edition.published_at else "draft"
    return Path(settings.GENERATED_DIR) / "catalog" / f"edition-{edition.pk}-{stamp}.pdf"


def edition_pdf(edition: CatalogEdition) -> bytes:
    """The edition's brochure; published and withdrawn editions are frozen and cached on disk."""
    if edition.status == EditionStatus.DRAFT:
        return render_pdf(brochure_html(edition))
    path = _cache_path(edition)
    if path.exists():
        return path.read_bytes()
    pdf = render_pdf(brochure_html(edition))
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a concurrent reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(pdf)
    os.replace(tmp, path)
    return pdf


def edition_xlsx(edition: CatalogEdition) -> bytes:
    """The edition as one worksheet, one row per item in the brochure's order.

    The contact phone is masked: a spreadsheet travels further than a printed brochure.
    """
    with translation.override(BROCHURE_LANGUAGE):
        headers = [
            _("No."),
            _("Project name"),
            _("Industry"),
            _("Park"),
            _("Land (mu)"),
            _("Estimated investment (10k yuan)"),
            _("Cooperation mode"),
            _("Construction content"),
            _("Market analysis"),
            _("Benefit analysis"),
            _("Contact unit"),
            _("Contact person"),
            _("Contact phone"),
        ]
        rows: list[list[Any]] = []
        for group in grouped_entries(edition):
            for entry in group.entries:
                item = entry.item
                rows.append(
                    [
                        entry.number,
                        item.name,
                        item.industry.name,
                        item.park.name,
                        item.land_mu,
                        item.investment_estimate_wan,
                        item.get_cooperation_mode_display(),
                        item.construction_content,
                        item.market_analysis,
                        item.benefit_analysis,
                        item.contact_unit,
                        item.contact_person,
                        mask_phone(item.contact_phone),
                    ]
                )
        buffer = io.BytesIO()
        write_xlsx(
            buffer,
            [
                SheetSpec(
                    title=re.sub(r"[\[\]:*?/\\]", " ", edition.title)[:31] or "catalog",
                    headers=headers,
                    rows=rows,
                    text_columns=frozenset({1, 2, 3, 6, 7, 8, 9, 10, 11, 12}),
                    widths=(6, 36, 18, 16, 10, 16, 12, 50, 50, 50, 20, 10, 16),
                )
            ],
        )
    return buffer.getvalue()
