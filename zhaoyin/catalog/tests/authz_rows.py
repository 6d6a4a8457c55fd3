"""Matrix rows for the project catalog (tests/authz_matrix.py).

Catalog items are city-wide promotion material: every government role reads them (no org
scope), the city admin alone curates. A draft or withdrawn edition exists only for the city
admin (404 for the other readers); a published one is open to every reader.
"""

from __future__ import annotations

from typing import Any

from tests.authz_matrix import READERS, api, web
from tests.world import World, world_builder
from zhaoyin.catalog import flow
from zhaoyin.core.roles import Role

CURATOR = {Role.CITY_ADMIN}
#: Readers other than the curator: a draft or withdrawn edition does not exist for them.
HIDDEN_FROM_READERS = {r: 404 for r in READERS - CURATOR}


@world_builder
def catalog(w: World) -> None:
    from zhaoyin.catalog import services
    from zhaoyin.catalog.inputs import CatalogItemInput, EditionCreateInput, EditionItemsInput

    item = services.catalog_item_create(
        acting_user=None,
        data=CatalogItemInput.of(
            name="矩阵测试项目",
            industry=w.industry.code,
            park=w.units["park_a"].code,
            investment_estimate_wan="1000",
            contact_phone="13800000000",
        ),
    )
    editions = {}
    for state in ("draft", "published", "withdrawn"):
        edition = services.edition_create(acting_user=None, data=EditionCreateInput.of(title=f"矩阵{state}", year=2026))
        services.edition_set_items(acting_user=None, edition=edition, data=EditionItemsInput.of(items=[item.pk]))
        if state != "draft":
            edition = services.edition_publish(acting_user=None, edition=edition)
        if state == "withdrawn":
            edition = services.edition_withdraw(acting_user=None, edition=edition)
        editions[state] = edition
    w.extra["catalog_item"] = item
    w.extra["catalog_editions"] = editions


def _item(w: World) -> dict[str, Any]:
    return {"pk": w.extra["catalog_item"].pk}


def _item_id(w: World) -> dict[str, Any]:
    return {"id": w.extra["catalog_item"].pk}


def _edition(state: str) -> Any:
    return lambda w: {"pk": w.extra["catalog_editions"][state].pk}


def _edition_id(state: str) -> Any:
    return lambda w: {"id": w.extra["catalog_editions"][state].pk}


def _item_form(w: World) -> dict[str, Any]:
    return {
        "name": "矩阵新项目",
        "industry": w.industry.pk,
        "park": w.units["park_a"].pk,
        "investment_estimate_wan": "500",
        "cooperation_mode": "open",
        "status": "active",
        "version": "1",
    }


MATRIX_ROWS = [
    web("catalog:item_list", allowed=READERS),
    # Issue 16 item 2: the list's export, its roles (the selector scopes the rows).
    web("catalog:item_export", allowed=READERS),
    web("catalog:item_detail", allowed=READERS, kwargs=_item),
    web("catalog:item_create", allowed=CURATOR),
    web("catalog:item_create", "POST", allowed=CURATOR, ok=302, data=_item_form),
    web("catalog:item_edit", allowed=CURATOR, kwargs=_item),
    web("catalog:item_edit", "POST", allowed=CURATOR, ok=302, kwargs=_item, data=_item_form),
    web("catalog:edition_list", allowed=READERS),
    web(
        "catalog:edition_create", "POST", allowed=CURATOR, ok=302, data=lambda w: {"title": "矩阵新版", "year": "2027"}
    ),
    web(
        "catalog:edition_set_items",
        "POST",
        allowed=CURATOR,
        ok=302,
        kwargs=_edition("draft"),
        data=lambda w: {f"pos-{w.extra['catalog_item'].pk}": "1"},
    ),
]
# One row per manual row of ``catalog.flow.TABLE`` (its route is ``catalog:edition_<action>``),
# on the world's edition in the row's first source status: a new action cannot go without one.
for _row in flow.TABLE.rows:
    if _row.manual:
        _source = next(s for s, _label in flow.TABLE.states if s in _row.sources)
        MATRIX_ROWS.append(
            web(f"catalog:edition_{_row.action}", "POST", allowed=CURATOR, ok=302, kwargs=_edition(_source))
        )
for state in ("draft", "published", "withdrawn"):
    hidden = HIDDEN_FROM_READERS if state != "published" else None
    for name in ("catalog:edition_detail", "catalog:edition_pdf", "catalog:edition_xlsx"):
        MATRIX_ROWS.append(web(name, allowed=READERS, kwargs=_edition(state), scope=hidden, label=state))
    for fmt in ("pdf", "xlsx", ""):
        MATRIX_ROWS.append(
            api(
                "GET",
                f"/api/v1/catalog-editions/{{id}}/{fmt}".rstrip("/"),
                allowed=READERS,
                kwargs=_edition_id(state),
                scope=hidden,
                label=state,
            )
        )
MATRIX_ROWS += [
    # Issue 16 item 9: the editions a client may open, listed (scoped by the selector).
    api("GET", "/api/v1/catalog-editions", allowed=READERS),
    api("GET", "/api/v1/catalog-items", allowed=READERS),
    api("GET", "/api/v1/catalog-items/{id}", allowed=READERS, kwargs=_item_id),
    api(
        "POST",
        "/api/v1/catalog-items",
        allowed=CURATOR,
        ok=201,
        data=lambda w: {
            "name": "矩阵接口项目",
            "industry": w.industry.code,
            "park": w.units["park_a"].code,
            "investment_estimate_wan": "100",
        },
    ),
    api("PATCH", "/api/v1/catalog-items/{id}", allowed=CURATOR, kwargs=_item_id, data=lambda w: {"name": "改名"}),
]

from tests.authz_matrix import MATRIX  # noqa: E402 - appended last, as the other apps do

MATRIX += MATRIX_ROWS
