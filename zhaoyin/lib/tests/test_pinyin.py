"""拼音首字母 (zhaoyin.lib.pinyin): what a name's initials are, for the search text."""

from __future__ import annotations

import pytest

from zhaoyin.lib.pinyin import pinyin_initials


@pytest.mark.parametrize(
    ("text", "initials"),
    [
        ("淮南新能源", "HNXNY"),
        ("淮南新能源有限公司", "HNXNYYXGS"),
        # Latin letters, digits and punctuation give no letter: they are searchable as written.
        ("淮南(安徽)ABC 1号", "HNAHH"),
        ("ABC Ltd.", ""),
        ("", ""),
    ],
)
def test_initials_of_the_chinese_characters(text: str, initials: str) -> None:
    assert pinyin_initials(text) == initials
