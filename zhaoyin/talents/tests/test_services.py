"""Talent services: register, change with its version, reveal, depart, link the account;
every bad input named by its field with nothing changed (core.testing.refused)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import bad_values, refused
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.idcard import check_character
from zhaoyin.talents import services
from zhaoyin.talents.crypto import decrypt_id, decrypt_phone, id_blind_index
from zhaoyin.talents.inputs import DepartInput, LinkAccountInput, TalentInput, TalentUpdateInput
from zhaoyin.talents.models import Talent
from zhaoyin.talents.tests.conftest import BORN, rid


def _create(user: User | None, **fields: Any) -> Talent:
    values = {"name": "王博文", "id_number": rid(1), "org_unit": "340402", **fields}
    return services.talent_create(acting_user=user, data=TalentInput.of(**values))


def test_create_stores_the_id_encrypted_and_takes_birth_and_sex_from_it(people: dict[str, User]) -> None:
    talent = _create(people["office"], phone="13912345678", education="doctorate")
    assert talent.birth_date == BORN
    assert talent.sex == "male"
    assert decrypt_id(talent.id_number_enc) == rid(1)
    assert talent.id_masked == rid(1)[:6] + "********" + rid(1)[-4:]
    assert talent.id_index == id_blind_index("resident", rid(1))
    assert decrypt_phone(talent.phone_enc or b"") == "13912345678"
    assert talent.phone_masked == "139****5678"
    assert talent.version == 1


def test_PII_01_audit_snapshots_never_hold_the_id_or_phone(people: dict[str, User]) -> None:
    talent = _create(people["office"], phone="13912345678")
    services.talent_update(
        acting_user=people["office"],
        talent=talent,
        data=TalentUpdateInput.of(id_number=rid(2), phone="13800001111", version=1),
    )
    services.talent_reveal(acting_user=people["office"], talent=talent)
    text = json.dumps([[r.before, r.after, r.detail, r.object_repr] for r in AuditRecord.objects.all()])
    for secret in (rid(1), rid(2), "13912345678", "13800001111", rid(2)[-8:]):
        assert secret not in text
    assert AuditRecord.objects.filter(action="talent.reveal", object_id=str(talent.pk)).count() == 1


def _bad_id() -> str:
    good = rid(5)
    return good[:17] + ("0" if good[17] != "0" else "1")


BAD_CREATE = bad_values(
    {
        "id_number": [_bad_id(), "34040219900230001X", "1234", "3404021990$5010011"],
        # A week ahead: still in the future if the suite passes midnight before this test runs.
        "arrival_date": [(timezone.localdate() + dt.timedelta(days=7)).isoformat(), "2024-13-01"],
        "org_unit": ["nope", "340403"],  # unknown; county B is out of staff A's scope: the same answer
        "name": [""],
        "phone": ["phone-me"],
        "email": ["not-an-email"],
        "employer": ["999999", "91340400MA2EXAMP0X"],
        "industry": ["no-such"],
        "station": ["340402"],  # a county is no station
        "education": ["phd"],
        "social_insurance_months": ["-1", "601"],
    }
)


@pytest.mark.parametrize(("params", "field"), BAD_CREATE)
def test_VAL_01_bad_input_names_the_field_and_changes_nothing(
    people: dict[str, User], params: dict[str, Any], field: str
) -> None:
    with refused(InvalidInput, fields=[field]):
        _create(people["staff_a"], **{"id_number": rid(9), **params})


def test_VAL_01_birth_date_disagreeing_with_the_id(people: dict[str, User]) -> None:
    with refused(InvalidInput, fields=["birth_date"]) as info:
        _create(people["office"], birth_date="1991-05-01")
    assert "1990-05-01" in info.value.errors[0]["message"]
    with refused(InvalidInput, fields=["sex"]):
        _create(people["office"], sex="female")
    # Agreeing values are taken.
    assert _create(people["office"], birth_date="1990-05-01", sex="male").birth_date == BORN


def test_VAL_01_contract_end_before_start(people: dict[str, User]) -> None:
    with refused(InvalidInput, fields=["contract_end"]):
        _create(people["office"], contract_start="2025-03-01", contract_end="2025-02-28")
    talent = _create(people["office"], contract_start="2025-03-01", contract_end="2028-02-28")
    with refused(InvalidInput, fields=["contract_end"]):
        services.talent_update(
            acting_user=people["office"], talent=talent, data=TalentUpdateInput.of(contract_end="2025-01-01")
        )


def test_AC_03_out_of_scope_employer_answers_like_an_unknown_one(
    people: dict[str, User], employer: Enterprise, employer_b: Enterprise
) -> None:
    with refused(InvalidInput, fields=["employer"]) as unknown:
        _create(people["staff_a"], employer="999999")
    with refused(InvalidInput, fields=["employer"]) as other:
        _create(people["staff_a"], employer=str(employer_b.pk))
    assert unknown.value.errors == other.value.errors
    assert _create(people["staff_a"], employer=employer.uscc).employer == employer
    # The talent office names any enterprise as an employer.
    assert _create(people["office"], id_number=rid(3), employer=str(employer_b.pk)).employer == employer_b


def test_PII_03_duplicate_id_by_blind_index(people: dict[str, User]) -> None:
    _create(people["office"])
    with refused(InvalidInput, fields=["id_number"]):
        _create(people["office"], id_number=" " + rid(1).lower() + " ")
    other = _create(people["office"], id_number=rid(2))
    with refused(InvalidInput, fields=["id_number"]):
        services.talent_update(acting_user=people["office"], talent=other, data=TalentUpdateInput.of(id_number=rid(1)))


def test_other_documents_and_their_checks(people: dict[str, User]) -> None:
    body = "81000019850101002"
    hmt = _create(people["office"], id_type="hmt_residence", id_number=body + check_character(body))
    assert hmt.birth_date == dt.date(1985, 1, 1)
    assert hmt.sex == "female"
    passport = _create(people["office"], id_type="passport", id_number="E12345678", birth_date="1980-02-02")
    assert passport.birth_date == dt.date(1980, 2, 2)
    assert passport.id_masked == "*********"
    old = _create(people["office"], id_type="foreign_permanent", id_number="USA310801010010")
    assert old.birth_date is None
    with refused(InvalidInput, fields=["id_number"]):
        _create(people["office"], id_type="hmt_residence", id_number=rid(7))
    # The same number under another type is another document (the index covers the type).
    assert _create(people["office"], id_type="passport", id_number="E12345679").pk


def test_CONC_01_stale_version_is_a_conflict_and_changes_nothing(people: dict[str, User]) -> None:
    talent = _create(people["office"])
    services.talent_update(
        acting_user=people["office"], talent=talent, data=TalentUpdateInput.of(school="淮南师范学院", version=1)
    )
    assert talent.version == 2
    stale = Talent.objects.get(pk=talent.pk)
    stale.version = 1
    with refused(Conflict):
        services.talent_update(
            acting_user=people["office"], talent=stale, data=TalentUpdateInput.of(major="物理", version=1)
        )
    assert Talent.objects.get(pk=talent.pk).major == ""


def test_update_in_scope_and_required_fields_kept(people: dict[str, User]) -> None:
    talent = _create(people["staff_a"])
    with refused(InvalidInput, fields=["name"]):
        services.talent_update(acting_user=people["staff_a"], talent=talent, data=TalentUpdateInput.of(name=""))
    with refused(InvalidInput, fields=["org_unit"]):
        services.talent_update(
            acting_user=people["staff_a"], talent=talent, data=TalentUpdateInput.of(org_unit="340403")
        )
    with refused(PermissionDenied):
        services.talent_update(acting_user=people["staff_b"], talent=talent, data=TalentUpdateInput.of(major="x"))
    with refused(PermissionDenied):
        services.talent_update(acting_user=people["leader"], talent=talent, data=TalentUpdateInput.of(major="x"))
    services.talent_update(acting_user=people["staff_a"], talent=talent, data=TalentUpdateInput.of(org_unit="park-a"))
    assert Talent.objects.get(pk=talent.pk).org_unit.code == "park-a"


def test_PII_02_reveal_only_for_the_talent_office_and_city_admin(people: dict[str, User]) -> None:
    talent = _create(people["office"], phone="13912345678")
    for who in ("office", "city"):
        shown = services.talent_reveal(acting_user=people[who], talent=talent)
        assert shown.id_number == rid(1)
        assert shown.phone == "13912345678"
    for who in ("staff_a", "leader"):
        with pytest.raises(PermissionDenied):
            services.talent_reveal(acting_user=people[who], talent=talent)
    assert AuditRecord.objects.filter(action="talent.reveal").count() == 2
    assert AuditRecord.objects.filter(action="talent.reveal_denied").count() == 2


def test_depart(people: dict[str, User]) -> None:
    talent = _create(people["office"], arrival_date="2024-03-01")
    with refused(InvalidInput, fields=["departed_on"]):
        services.talent_depart(
            acting_user=people["office"], talent=talent, data=DepartInput.of(departed_on="2024-02-01")
        )
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with refused(InvalidInput, fields=["departed_on"]):
        services.talent_depart(acting_user=people["office"], talent=talent, data=DepartInput.of(departed_on=tomorrow))
    services.talent_depart(acting_user=people["office"], talent=talent, data=DepartInput.of(departed_on="2025-06-30"))
    stored = Talent.objects.get(pk=talent.pk)
    assert stored.status == "departed"
    assert stored.departed_on == dt.date(2025, 6, 30)
    with refused(Conflict):
        services.talent_depart(
            acting_user=people["office"], talent=stored, data=DepartInput.of(departed_on="2025-07-01")
        )


def test_link_account(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> None:
    talent = _create(people["office"])
    with refused(InvalidInput, fields=["username"]):
        services.talent_link_account(
            acting_user=people["office"], talent=talent, data=LinkAccountInput.of(username="staff_a")
        )
    with refused(InvalidInput, fields=["username"]):
        services.talent_link_account(
            acting_user=people["office"], talent=talent, data=LinkAccountInput.of(username="nobody")
        )
    services.talent_link_account(
        acting_user=people["office"], talent=talent, data=LinkAccountInput.of(username="talent1")
    )
    assert Talent.objects.get(pk=talent.pk).account == people["talent"]
    other = _create(people["office"], id_number=rid(2))
    with refused(InvalidInput, fields=["username"]):
        services.talent_link_account(
            acting_user=people["office"], talent=other, data=LinkAccountInput.of(username="talent1")
        )
