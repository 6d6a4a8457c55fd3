"""拼音首字母: the initials of a Chinese name (淮南新能源 → HNXNY), for search.

People in the offices find a firm by typing the first letters of its name's pinyin, as most
Chinese office systems allow. The initials are stored folded into a record's ``search_text``
(zhaoyin.core.search), so the same substring search that finds 新能源 finds XNY.

Only Chinese characters give a letter; everything else (Latin letters, digits, punctuation)
is left out, because those are already in the search text as written. A character with
several readings gets its most common one (pypinyin's first reading): 长沙 → CS, 银行 → YH.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def pinyin_initials(text: str) -> str:
    """The upper-case initials of the Chinese characters of ``text``, in order, as one word
    ("" when it has none)."""
    han = "".join(c for c in text if _is_han(c))
    if not han:
        return ""
    letters = lazy_pinyin(han, style=Style.FIRST_LETTER, errors="ignore", strict=False)
    return "".join(letters).upper()
