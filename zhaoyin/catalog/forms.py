"""Forms of the catalog pages. They only draw the page: the input models (``catalog.inputs``,
through ``core.forms.bind_input``) and the services judge what is posted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.accounts.selectors import group_unit_field
from zhaoyin.catalog.models import CatalogItem, CooperationMode, ItemStatus
from zhaoyin.enterprises.models import Industry


def _parks() -> Any:
    return OrgUnit.objects.filter(kind__in=[OrgUnitKind.PARK, OrgUnitKind.COUNTY]).order_by("path")


class ItemForm(forms.Form):
    """Create or change a catalog item."""

    REQUIRED = ("name", "industry", "park", "investment_estimate_wan")
    #: Fields drawn full width (the name and the long texts).
    WIDE = ("name", "construction_content", "market_analysis", "benefit_analysis")

    name = forms.CharField(label=_("Project name"), required=False, max_length=200)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    park = forms.ModelChoiceField(label=_("Park"), queryset=OrgUnit.objects.none(), required=False)
    investment_estimate_wan = forms.CharField(label=_("Estimated investment (10k yuan)"), required=False)
    land_mu = forms.CharField(label=_("Land (mu)"), required=False)
    cooperation_mode = forms.ChoiceField(label=_("Cooperation mode"), choices=CooperationMode.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    construction_content = forms.CharField(
        label=_("Construction content"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    market_analysis = forms.CharField(
        label=_("Market analysis"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    benefit_analysis = forms.CharField(
        label=_("Benefit analysis"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_unit = forms.CharField(label=_("Contact unit"), required=False, max_length=100)
    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, item: CatalogItem | None = None, **kwargs: Any) -> None:
        if item is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    f: getattr(item, f)
                    for f in (
                        "name",
                        "cooperation_mode",
                        "status",
                        "construction_content",
                        "market_analysis",
                        "benefit_analysis",
                        "contact_unit",
                        "contact_person",
                        "contact_phone",
                        "version",
                    )
                },
                "industry": item.industry_id,
                "park": item.park_id,
                "investment_estimate_wan": str(item.investment_estimate_wan),
                "land_mu": "" if item.land_mu is None else str(item.land_mu),
            }
        super().__init__(*args, **kwargs)
        park_field = self.fields["park"]
        assert isinstance(park_field, forms.ModelChoiceField)
        park_field.queryset = _parks()
        group_unit_field(park_field, "—")



class EditionForm(forms.Form):
    """Start a new draft edition."""

    title = forms.CharField(label=_("Title"), required=False, max_length=100)
    year = forms.CharField(label=_("Year"), required=False, max_length=4)
