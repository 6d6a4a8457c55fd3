"""The input of each enterprise use case: register, change, one year of figures
(``zhaoyin.core.inputs``).

The API builds these models from its bodies, the pages from their forms' posted values, the
Excel import from each row. A model judges each value on its own with the cleaners of
``validation`` (a name, a credit code, a date, a number of 亩, a size class, a year, an
amount); the references (org unit, industry, qualifications, service group) are only read as
text here and looked up by the service through ``validation.clean_enterprise`` with the
acting user's ``Lookups``, so one outside the user's scope is answered exactly like an
unknown one (AC-03).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from zhaoyin.core.inputs import Input, from_cleaner, must, whole_number
from zhaoyin.core.validation import clean_decimal, clean_int
from zhaoyin.enterprises.validation import (
    ENTERPRISE_FIELDS,
    FIGURE_DECIMAL_FIELDS,
    Lookups,
    clean_enterprise,
    clean_figures,
)

#: No references at all: a model judges only the enterprise's own values.
_NO_LOOKUPS = Lookups()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _own(name: str) -> Callable[[Any], Any]:
    """One of the enterprise's own values, judged as ``clean_enterprise`` judges it (a required
    one may not be emptied)."""

    def clean(value: Any) -> Any:
        return clean_enterprise({name: value}, lookups=_NO_LOOKUPS, partial=True).get(name)

    return from_cleaner(clean)


def _reference(value: Any) -> str | None:
    """A reference as text (a code or a name); blank is None. The service looks it up."""
    return None if _blank(value) else str(value).strip()


def _names(value: Any) -> list[str]:
    """Qualification names: a list, or text separated by commas or 、 (a form, a spreadsheet)."""
    names = (
        value if isinstance(value, list | tuple) else str(value or "").replace("，", ",").replace("、", ",").split(",")
    )
    return [str(n).strip() for n in names if str(n).strip()]


Reference = Annotated[str | None, BeforeValidator(_reference)]


class EnterpriseFields(Input):
    """An enterprise's fields as sent, each optional (a change sends some)."""

    name: Annotated[str | None, BeforeValidator(_own("name"))] = None
    uscc: Annotated[str | None, BeforeValidator(_own("uscc"))] = None
    org_unit: Reference = None
    industry: Reference = None
    legal_representative: Annotated[str | None, BeforeValidator(_own("legal_representative"))] = None
    address: Annotated[str | None, BeforeValidator(_own("address"))] = None
    size_class: Annotated[str | None, BeforeValidator(_own("size_class"))] = None
    founded_on: Annotated[dt.date | None, BeforeValidator(_own("founded_on"))] = None
    employees: Annotated[int | None, BeforeValidator(_own("employees"))] = None
    land_mu: Annotated[Decimal | None, BeforeValidator(_own("land_mu"))] = None
    qualifications: Annotated[list[str] | None, BeforeValidator(_names)] = None
    service_group: Reference = None

    def values(self) -> dict[str, Any]:
        """The enterprise fields sent, as ``clean_enterprise`` takes them (None: sent blank)."""
        given = self.given()
        return {name: getattr(self, name) for name in ENTERPRISE_FIELDS if name in given}


class EnterpriseInput(EnterpriseFields):
    """Register an enterprise: name, credit code, org unit and industry are required."""

    name: Annotated[str, BeforeValidator(must(_own("name")))]
    uscc: Annotated[str, BeforeValidator(must(_own("uscc")))]
    org_unit: Annotated[str, BeforeValidator(must(_reference))]
    industry: Annotated[str, BeforeValidator(must(_reference))]


class EnterpriseUpdateInput(EnterpriseFields):
    """Change an enterprise: only the fields sent (a required one may not be emptied)."""

    version: Annotated[int | None, BeforeValidator(whole_number)] = Field(
        None, description="The version read; a different current version → 409"
    )


def _year(value: Any) -> int:
    return int(clean_figures({"year": value})["year"])


def _optional(clean: Callable[[Any], Any]) -> Callable[[Any], Any]:
    inner = from_cleaner(clean)
    return lambda value: None if _blank(value) else inner(value)


def _source(value: Any) -> str | None:
    """A data source code; blank is None (the stored source stays)."""
    if not value:
        return None
    return str(clean_figures({"year": 2000, "source": value})["source"])


Figure = Annotated[Decimal | None, BeforeValidator(_optional(clean_decimal))]


class FiguresInput(Input):
    """One year of figures: any subset of the figures; a figure sent blank is None (the
    service clears it or leaves it, as its caller asks)."""

    year: Annotated[int, BeforeValidator(must(_optional(_year)))]
    revenue_wan: Figure = None
    tax_wan: Figure = None
    output_wan: Figure = None
    value_added_wan: Figure = None
    energy_tce: Figure = None
    emissions_t: Figure = None
    rd_wan: Figure = None
    employees: Annotated[int | None, BeforeValidator(_optional(clean_int))] = None
    electricity_kwh: Figure = None
    source: Annotated[str | None, BeforeValidator(from_cleaner(_source))] = None

    def values(self) -> dict[str, Any]:
        """The figures sent, as ``clean_figures`` takes them (None: sent blank)."""
        given = self.given()
        names = ("year", *FIGURE_DECIMAL_FIELDS, "employees", "source")
        return {name: getattr(self, name) for name in names if name in given}
