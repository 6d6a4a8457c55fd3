"""A talent's facts for the eligibility engine (talents/facts.py) and the engine's talent codes."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.enterprises.models import Industry
from zhaoyin.lib import eligibility as el
from zhaoyin.talents import models
from zhaoyin.talents.facts import FactTables, iter_facts, talent_facts, talent_vocabulary, whole_years
from zhaoyin.talents.testing import make_talent


def test_the_engines_talent_codes_are_the_models_choices() -> None:
    assert tuple(models.Education.values) == el.EDUCATIONS
    assert tuple(models.Title.values) == el.TITLES
    assert tuple(models.Tier.values) == el.TIERS
    assert tuple(models.Channel.values) == el.CHANNELS


def test_whole_years_counts_completed_years() -> None:
    assert whole_years(dt.date(1990, 5, 1), dt.date(2026, 4, 30)) == 35
    assert whole_years(dt.date(1990, 5, 1), dt.date(2026, 5, 1)) == 36
    assert whole_years(dt.date(2000, 2, 29), dt.date(2026, 2, 28)) == 25


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    city = OrgUnit.objects.create(code="340400", name="淮南市", kind="city")
    county = OrgUnit.objects.create(code="340403", name="田家庵区", kind="county", parent=city)
    return {"city": city, "county": county}


@pytest.mark.django_db
def test_facts_of_a_doctor_with_a_running_contract(tree: dict[str, OrgUnit]) -> None:
    industry = Industry.objects.filter(emerging=True).order_by("code").first() or Industry.objects.create(
        code="new_materials", name="新材料", emerging=True
    )
    talent = make_talent(
        org_unit=tree["county"], birth=dt.date(1991, 3, 10), education="doctorate", industry=industry,
        arrival_date=dt.date(2025, 9, 1), contract_start=dt.date(2025, 9, 1), contract_end=dt.date(2030, 8, 31),
        employer_name="淮南新材料研究院", tier="B", tier_valid_until=dt.date(2028, 12, 31), social_insurance_months=15,
    )
    facts = talent_facts(talent, on=dt.date(2026, 12, 7))
    assert facts.units == ("340400", "340403")
    assert (facts.industry, facts.emerging, facts.education, facts.tier) == (industry.code, True, "doctorate", "B")
    assert (facts.age_years, facts.age_at_arrival, facts.years_since_arrival) == (35, 34, 1)
    assert (facts.contract_years, facts.contract_in_city, facts.social_insurance_months) == (4, True, 15)
    # After the tier expires it counts as none; after the contract ends it is not in force.
    later = talent_facts(talent, on=dt.date(2031, 1, 1))
    assert later.tier is None
    assert later.contract_in_city is False


@pytest.mark.django_db
def test_unknown_and_known_absent_facts(tree: dict[str, OrgUnit]) -> None:
    no_employer = make_talent(org_unit=tree["county"], birth=dt.date(1995, 1, 1))
    no_dates = make_talent(org_unit=tree["county"], birth=dt.date(1995, 1, 2), employer_name="淮南师范学院")
    rows = dict(iter_facts(
        models.Talent.objects.filter(pk__in=[no_employer.pk, no_dates.pk]), on=dt.date(2026, 1, 1),
        tables=FactTables.load(),
    ))
    assert rows[no_employer.pk].contract_in_city is False
    assert rows[no_dates.pk].contract_in_city is None
    assert rows[no_dates.pk].age_at_arrival is None
    assert talent_vocabulary().subject == el.TALENT
