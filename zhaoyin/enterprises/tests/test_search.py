"""Chinese substring search (DESIGN 3.10): short terms, case and width folding, several words."""

from __future__ import annotations

from zhaoyin.enterprises.filters import EnterpriseFilter
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.tests.conftest import MakeEnterprise


def search(q: str) -> list[str]:
    """Names found, sorted in Python (the database's collation of Chinese may differ)."""
    flt = EnterpriseFilter.parse({"q": q})
    return sorted(e.name for e in flt.apply(Enterprise.objects.all()))


def test_two_character_chinese_term_finds_substring(make_enterprise: MakeEnterprise) -> None:
    make_enterprise("淮南光电子材料有限公司")
    make_enterprise("安徽电子信息产业公司")
    make_enterprise("淮南煤矿机械厂")
    assert search("电子") == sorted(["安徽电子信息产业公司", "淮南光电子材料有限公司"])
    assert search("淮南") == sorted(["淮南光电子材料有限公司", "淮南煤矿机械厂"])
    assert search("矿") == ["淮南煤矿机械厂"]


def test_several_words_must_all_occur(make_enterprise: MakeEnterprise) -> None:
    make_enterprise("淮南光电子材料有限公司")
    make_enterprise("安徽电子信息产业公司")
    assert search("电子 淮南") == ["淮南光电子材料有限公司"]
    assert search("  电子\u3000安徽 ") == ["安徽电子信息产业公司"]  # ideographic space separates too


def test_credit_code_legal_representative_and_address_are_searched(make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("某公司", legal_representative="张三丰", address="田家庵区洞山路88号")
    assert search(e.uscc[-8:].lower()) == ["某公司"]  # case does not matter
    assert search("三丰") == ["某公司"]
    assert search("洞山路") == ["某公司"]


def test_latin_letters_fold_case_and_width(make_enterprise: MakeEnterprise) -> None:
    make_enterprise("ABC智能制造有限公司")
    assert search("abc") == ["ABC智能制造有限公司"]
    assert search("ＡＢＣ") == ["ABC智能制造有限公司"]  # full-width letters


def test_like_wildcards_are_literal(make_enterprise: MakeEnterprise) -> None:
    make_enterprise("百分之百%公司")
    make_enterprise("下划线_公司")
    make_enterprise("普通公司")
    assert search("%") == ["百分之百%公司"]
    assert search("_") == ["下划线_公司"]
