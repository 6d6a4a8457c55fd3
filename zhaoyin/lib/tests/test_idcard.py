"""GB 11643 and the other ID documents of talents: worked check digits, each refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoyin.lib.idcard import (
    IdFacts,
    IdNumberError,
    check_character,
    make_resident,
    parse_foreign_permanent,
    parse_hmt_residence,
    parse_id,
    parse_passport,
    parse_resident,
)

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("body", "check"),
    [
        # The two worked examples of GB 11643-1999 (annex): the first ends in X.
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        # Weighted sum 0 → remainder 0 → "1"; every remainder maps through 10X98765432.
        ("00000000000000000", "1"),
        ("34040219900501001", check_character("34040219900501001")),
    ],
)
def test_VAL_01_worked_check_characters(body: str, check: str) -> None:
    assert check_character(body) == check


def test_VAL_01_every_remainder_gives_its_character() -> None:
    # The first weight is 7: a leading digit d alone gives remainder 7d mod 11.
    seen = {}
    for d in range(10):
        body = f"{d}" + "0" * 16
        seen[(7 * d) % 11] = check_character(body)
    assert seen[0] == "1"
    assert seen[2] == "X"
    assert seen[3] == "9"
    assert seen[10] == "2"


def test_VAL_01_resident_id_gives_birth_date_and_sex() -> None:
    facts = parse_resident("11010519491231002X", today=TODAY)
    assert facts == IdFacts(birth_date=dt.date(1949, 12, 31), sex="female")  # sequence 002: even
    assert parse_resident("110105194912310051"[:17] + check_character("11010519491231005"), today=TODAY).sex == "male"


def test_VAL_01_lower_case_x_and_spaces_and_full_width_are_normalised() -> None:
    assert parse_resident(" 110105 19491231 002x ", today=TODAY).birth_date == dt.date(1949, 12, 31)
    assert parse_resident("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).sex == "female"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("11010519491231002", "LENGTH"),
        ("11010519491231002X1", "LENGTH"),
        ("1101051949123100XX", "CHARACTERS"),
        ("11010519491231A02X", "CHARACTERS"),
        ("110105194912310021", "CHECK_DIGIT"),  # the right one is X
        ("990105194912310020", "AREA"),  # no province 99
        ("340000199005010010", "AREA"),  # a whole province is no place of registration
        ("110105194902300020", "BIRTH_DATE"),  # 30 February
        ("110105189912310020", "BIRTH_DATE"),  # before 1900
        ("110105202712310020", "BIRTH_DATE"),  # after today
    ],
)
def test_VAL_01_resident_id_refusals(number: str, code: str) -> None:
    with pytest.raises(IdNumberError) as info:
        parse_resident(number, today=TODAY)
    assert info.value.code == code


def test_VAL_01_a_single_changed_digit_is_caught() -> None:
    good = make_resident("340402", dt.date(1988, 3, 14), 123)
    parse_resident(good, today=TODAY)
    for i in range(17):
        digit = str((int(good[i]) + 1) % 10)
        changed = good[:i] + digit + good[i + 1 :]
        with pytest.raises(IdNumberError):
            parse_resident(changed, today=TODAY)


def test_VAL_01_hmt_residence_permit() -> None:
    body = "81000019900501001"
    number = body + check_character(body)
    assert parse_hmt_residence(number, today=TODAY) == IdFacts(dt.date(1990, 5, 1), "male")
    for prefix in ("820000", "830000"):
        b = prefix + "19851111002"
        assert parse_hmt_residence(b + check_character(b), today=TODAY).sex == "female"
    with pytest.raises(IdNumberError) as info:
        parse_hmt_residence(make_resident("340402", dt.date(1990, 5, 1), 1), today=TODAY)
    assert info.value.code == "PREFIX"
    with pytest.raises(IdNumberError) as info:
        parse_hmt_residence(body + ("0" if number[-1] != "0" else "1"), today=TODAY)
    assert info.value.code == "CHECK_DIGIT"


def test_VAL_01_foreign_permanent_residence_id_both_forms() -> None:
    body = "93184019800101002"  # 9, province 31, nationality 840, 1980-01-01, sequence 002
    number = body + check_character(body)
    assert parse_foreign_permanent(number, today=TODAY) == IdFacts(dt.date(1980, 1, 1), "female")
    assert parse_foreign_permanent("USA310801010010") == IdFacts()  # the old 15-character form
    for bad, code in [
        ("83184019800101002" + check_character("83184019800101002"), "PREFIX"),
        (body + ("0" if number[-1] != "0" else "1"), "CHECK_DIGIT"),
        ("US1310801010010", "CHARACTERS"),
        ("USA31080101001", "LENGTH"),
    ]:
        with pytest.raises(IdNumberError) as info:
            parse_foreign_permanent(bad, today=TODAY)
        assert info.value.code == code, bad


@pytest.mark.parametrize(("number", "code"), [("E1234", None), ("G12345678", None), ("e123456789abcdefg", None),
                                              ("E123", "LENGTH"), ("E12345678901234567", "LENGTH"),
                                              ("E1234-567", "CHARACTERS"), ("护照12345", "CHARACTERS")])
def test_VAL_01_passport_shape(number: str, code: str | None) -> None:
    if code is None:
        assert parse_passport(number) == IdFacts()
    else:
        with pytest.raises(IdNumberError) as info:
            parse_passport(number)
        assert info.value.code == code


def test_VAL_01_parse_id_dispatches_by_type() -> None:
    assert parse_id("resident", "11010519491231002X", today=TODAY).birth_date == dt.date(1949, 12, 31)
    assert parse_id("passport", "E12345678") == IdFacts()
    with pytest.raises(IdNumberError) as info:
        parse_id("driving_licence", "123456")
    assert info.value.code == "TYPE"
