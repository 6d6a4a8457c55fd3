"""Every message has a zh-hans translation (issue 2 item 9; DESIGN 6: the catalogue is complete).

The checks live in tools/check_messages.py (also run by `make check`); these tests run the
same functions, and first prove on small catalogues that the checker itself catches an
empty, a fuzzy and a missing entry.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_messages", ROOT / "tools" / "check_messages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_messages", module)
    spec.loader.exec_module(module)
    return module


check = _load_checker()

SAMPLE = r'''# header comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "Enterprises"
msgstr "企业"

#, python-format
msgid "Unknown role: %(role)s"
msgstr "未知角色：%(role)s"

msgid ""
"A long message "
"on two lines."
msgstr ""
"一条"
"很长的消息。"

msgctxt "month"
msgid "May"
msgstr "五月"

#, python-format
msgid "%(n)s enterprise"
msgid_plural "%(n)s enterprises"
msgstr[0] "%(n)s 家企业"

#, fuzzy
msgid "Projects"
msgstr "项目"

msgid "Talents"
msgstr ""

#~ msgid "Old"
#~ msgstr "旧"
'''


def test_I18N_checker_parses_entries_and_flags_problems(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(SAMPLE, encoding="utf-8")
    entries = {e.key: e for e in check.parse_po(po)}
    assert set(entries) == {
        "Enterprises", "Unknown role: %(role)s", "A long message on two lines.", "month\x04May",
        "%(n)s enterprise", "Projects", "Talents",
    }
    assert entries["A long message on two lines."].msgstr[0] == "一条很长的消息。"
    assert entries["%(n)s enterprise"].msgid_plural == "%(n)s enterprises"
    problems = check.catalogue_problems(po)
    assert any("fuzzy" in p and "Projects" in p for p in problems)
    assert any("no translation" in p and "Talents" in p for p in problems)
    assert not any("Enterprises" in p or "May" in p for p in problems)


def test_I18N_checker_reports_a_missing_catalogue(tmp_path: Path) -> None:
    assert check.catalogue_problems(tmp_path / "django.po") == [check.MISSING_PO]
    assert "make messages" in check.MISSING_PO


def test_I18N_every_message_has_a_zh_hans_translation() -> None:
    problems = check.catalogue_problems()
    assert not problems, "zh-hans catalogue incomplete:\n  " + "\n  ".join(problems[:50])


@pytest.fixture(scope="module")
def extracted() -> tuple[set[str], list[object]]:
    found: tuple[set[str], list[object]] = check.extracted_msgids()
    return found


def test_I18N_makemessages_finds_messages_in_the_sources(extracted: tuple[set[str], list[object]]) -> None:
    keys, _entries = extracted
    # A msgid every build has (the language switcher's label): proves extraction works.
    assert "Simplified Chinese" in keys


def test_I18N_makemessages_would_add_nothing(extracted: tuple[set[str], list[object]]) -> None:
    if not check.PO_PATH.exists():
        pytest.fail(check.MISSING_PO)
    committed = {e.key for e in check.parse_po(check.PO_PATH)}
    missing = sorted(k for k in extracted[0] if k not in committed)
    assert not missing, (
        f"{len(missing)} msgid(s) in the sources but not in the catalogue (run `make messages` and "
        "translate them):\n  " + "\n  ".join(repr(m) for m in missing[:50])
    )


def test_I18N_compiled_catalogue_matches_the_po_file() -> None:
    problems = check.compiled_problems()
    assert not problems, "\n".join(problems)
