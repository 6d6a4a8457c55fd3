"""GB 32100 validator: the published vectors, every single-character change, shapes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhaoyin.lib.uscc import USCC_ALPHABET, UsccError, is_valid_uscc, make_uscc, validate_uscc

VECTORS = ["914403001922038216", "9144030071526726XG", "91350100M000100Y43"]


@pytest.mark.parametrize("code", VECTORS)
def test_VAL_01_known_valid_codes_pass(code: str) -> None:
    assert validate_uscc(code) == code


def test_VAL_01_full_width_and_lower_case_are_normalised() -> None:
    assert validate_uscc(" ９１４４０３００１９２２０３８２１６ ") == VECTORS[0]
    assert validate_uscc("9144030071526726xg") == VECTORS[1]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91440300192203821", "USCC_LENGTH"),
        ("91440300192203821I", "USCC_CHARACTERS"),
        ("914403001922038217", "USCC_CHECKSUM"),
        ("91350100M0001TGQXM", "USCC_CHECKSUM"),
    ],
)
def test_VAL_01_bad_codes_name_the_reason(code: str, reason: str) -> None:
    with pytest.raises(UsccError) as exc:
        validate_uscc(code)
    assert exc.value.code == reason


def test_VAL_01_every_single_character_substitution_is_rejected() -> None:
    code = VECTORS[1]
    for i in range(18):
        for c in USCC_ALPHABET:
            if c != code[i]:
                assert not is_valid_uscc(code[:i] + c + code[i + 1 :]), (i, c)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
def test_VAL_01_generated_codes_validate(body: str) -> None:
    assert is_valid_uscc(make_uscc("340402", body))


def test_VAL_01_digits_of_another_script_are_refused_not_a_crash() -> None:
    # NFKC leaves Arabic-Indic digits as they are; they once passed the shape and broke the check.
    with pytest.raises(UsccError) as caught:
        validate_uscc("91" + "\u0663" * 6 + "MA2N0QXX1C")
    assert caught.value.code == "USCC_CHARACTERS"
