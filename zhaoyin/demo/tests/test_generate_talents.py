"""``zhaoyin generate``'s talents (issue 13: 50 000 at province scale)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhaoyin.demo.generate import counts_for
from zhaoyin.lib.idcard import parse_resident
from zhaoyin.talents.crypto import decrypt_id, decrypt_phone, id_blind_index
from zhaoyin.talents.models import Talent


def run(*args: str) -> None:
    call_command("generate", "--scale", "city", *args, stdout=StringIO())


def test_province_scale_is_50_000_talents() -> None:
    assert counts_for("province")["talents"] == 50_000
    assert counts_for("city")["talents"] == 3_000


@pytest.mark.django_db
def test_generated_talents_are_stored_like_the_services_store_them() -> None:
    run("--count", "400", "--seed", "5")
    talents = list(Talent.objects.select_related("employer", "industry", "station"))
    assert len(talents) == 400
    assert len({t.id_index for t in talents}) == 400
    today = timezone.localdate()
    for t in talents:
        number = decrypt_id(bytes(t.id_number_enc))
        facts = parse_resident(number)
        assert (facts.birth_date, facts.sex) == (t.birth_date, t.sex)
        assert t.id_index == id_blind_index("resident", number)
        assert t.id_masked != number
        assert t.id_masked[-1] == number[-1]
        assert t.phone_enc is not None
        assert decrypt_phone(bytes(t.phone_enc))[-4:] == t.phone_masked[-4:]
        assert t.arrival_date is not None
        assert t.arrival_date <= today
        assert t.tier == ""  # tiers are the recognition's to set
        assert t.name in t.search_text
        if t.employer is not None:
            assert t.org_unit_id == t.employer.org_unit_id
            assert t.industry_id == t.employer.industry_id
        else:
            assert t.employer_name
    emerging = sum(1 for t in talents if t.industry is not None and t.industry.emerging)
    assert emerging > len(talents) / 2
    stations = {t.station.code for t in talents if t.station is not None}
    assert stations == {"station-csj", "station-g60"}


@pytest.mark.django_db
def test_generate_talents_again_adds_nothing_and_is_deterministic() -> None:
    run("--count", "120", "--seed", "9")
    first = set(Talent.objects.values_list("id_index", "name", "org_unit__code"))
    run("--count", "120", "--seed", "9")
    assert Talent.objects.count() == 120
    Talent.objects.all().delete()
    run("--count", "120", "--seed", "9")
    assert set(Talent.objects.values_list("id_index", "name", "org_unit__code")) == first
