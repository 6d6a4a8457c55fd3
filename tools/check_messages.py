#!/usr/bin/env python3
"""Check that the zh-hans catalogue is complete: ``tools/check_messages.py`` (exit 1 if not).

1. Every entry of zhaoyin/locale/zh_Hans/LC_MESSAGES/django.po has a non-empty translation
   and none is fuzzy; ``msgfmt --check`` accepts the file (placeholders match).
2. ``makemessages`` would add nothing: it is run, exactly as ``make messages`` runs it, on a
   temporary copy of the source tree, and the catalogue it produces must contain no msgid
   that the committed one lacks.
3. The compiled django.mo holds the same translations as django.po (it is what Django reads).

The test suite runs the same checks (tests/test_translations.py).
"""

from __future__ import annotations

import ast
import contextlib
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zhaoyin"
LOCALE = "zh_Hans"
PO_PATH = PACKAGE / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
#: The files makemessages reads for the "django" domain.
SOURCE_SUFFIXES = (".py", ".html", ".txt")
MISSING_PO = (
    f"{PO_PATH.relative_to(ROOT)} does not exist: run `make messages` "
    "(makemessages + compilemessages for zh_Hans) and translate every entry"
)


@dataclass
class Entry:
    """One catalogue entry: its msgid (with context and plural), translations and flags."""

    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The catalogue key gettext uses: ``context\\x04msgid``."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {text}")
    return value


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header and obsolete (``#~``) entries excluded."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def flush() -> None:
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if started and current.msgstr:
                flush()
            continue
        if line.startswith("#,"):
            if started and current.msgstr:
                flush()
            current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith("#"):
            if started and current.msgstr:
                flush()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: continuation line without a keyword")
            kind, index = target
            text = _unquote(line)
            if kind == "msgid":
                current.msgid += text
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + text
            elif kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            else:
                current.msgstr[index] += text
            continue
        if keyword in ("msgctxt", "msgid") and started and current.msgstr:
            flush()
        started = True
        if not current.line:
            current.line = number
        if keyword == "msgctxt":
            current.msgctxt, target = _unquote(rest), ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = _unquote(rest), ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
        elif keyword == "msgstr":
            current.msgstr[0], target = _unquote(rest), ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            current.msgstr[index], target = _unquote(rest), ("msgstr", index)
        else:
            raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
    flush()
    return [e for e in entries if e.msgid or e.msgctxt is not None]


def _describe(entry: Entry) -> str:
    ctx = f" (context {entry.msgctxt!r})" if entry.msgctxt is not None else ""
    return f"line {entry.line}: {entry.msgid!r}{ctx}"


def catalogue_problems(po_path: Path = PO_PATH) -> list[str]:
    """Untranslated or fuzzy entries and msgfmt errors in the committed catalogue."""
    if not po_path.exists():
        return [MISSING_PO]
    problems = []
    for entry in parse_po(po_path):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy translation, {_describe(entry)}")
        elif not entry.translated:
            problems.append(f"no translation, {_describe(entry)}")
    if shutil.which("msgfmt"):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", os.devnull, str(po_path)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            problems.append("msgfmt --check: " + result.stderr.strip())
    return problems


def compiled_problems(po_path: Path = PO_PATH, mo_path: Path = MO_PATH) -> list[str]:
    """Differences between django.po and the django.mo Django actually loads."""
    if not po_path.exists():
        return [MISSING_PO]
    if not mo_path.exists():
        return [f"{mo_path.relative_to(ROOT)} is missing: run `make messages` (compilemessages)"]
    with mo_path.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    catalog: dict[object, str] = compiled._catalog  # type: ignore[attr-defined]
    problems = []
    for entry in parse_po(po_path):
        if "fuzzy" in entry.flags or not entry.translated:
            continue  # reported by catalogue_problems; msgfmt leaves these out
        if entry.msgid_plural is None:
            got = catalog.get(entry.key)
            want = entry.msgstr.get(0)
        else:
            got = catalog.get((entry.key, 0))
            want = entry.msgstr.get(0)
        if got != want:
            problems.append(f"django.mo is stale for {_describe(entry)}: run compilemessages")
            if len(problems) >= 20:
                break
    return problems


#: What `make messages` extracts from: the package and config/ (settings name the languages).
SOURCE_DIRS = ("zhaoyin", "config")
#: Directories it leaves out (test code is not user-facing).
IGNORED_DIRS = frozenset({"tests", "__pycache__", "migrations"})


@contextlib.contextmanager
def _source_copy() -> Iterator[Path]:
    """A temporary copy of the sources makemessages reads, with the committed catalogue."""
    with tempfile.TemporaryDirectory(prefix="zhaoyin-messages-") as tmp:
        root = Path(tmp)

        def ignore(directory: str, names: list[str]) -> list[str]:
            skipped = []
            for name in names:
                path = Path(directory) / name
                wanted_file = name.endswith(SOURCE_SUFFIXES) or "locale" in path.parts
                if name in IGNORED_DIRS or name.startswith(".") or (path.is_file() and not wanted_file):
                    skipped.append(name)
            return skipped

        for name in SOURCE_DIRS:
            shutil.copytree(ROOT / name, root / name, ignore=ignore)
        (root / "zhaoyin" / "locale").mkdir(exist_ok=True)
        yield root


def extracted_msgids() -> tuple[set[str], list[Entry]]:
    """Run makemessages as ``make messages`` does, on a copy; return (keys, entries) it produced.

    Equivalent to running, at the repository root, ``zhaoyin makemessages -l zh_Hans
    --no-location --no-obsolete --ignore=tests`` over zhaoyin/ and config/ only.
    """
    from django.core.management import call_command
    from django.test.utils import override_settings

    with _source_copy() as copy:
        locale_dir = copy / "zhaoyin" / "locale"
        cwd = Path.cwd()
        os.chdir(copy)
        try:
            with override_settings(LOCALE_PATHS=[str(locale_dir)]):
                call_command(
                    "makemessages", locale=[LOCALE], no_location=True, no_obsolete=True, verbosity=0
                )
        finally:
            os.chdir(cwd)
        entries = parse_po(locale_dir / LOCALE / "LC_MESSAGES" / "django.po")
    return {e.key for e in entries}, entries


def extraction_problems(po_path: Path = PO_PATH) -> list[str]:
    """Msgids in the sources (as makemessages finds them) that the catalogue lacks."""
    if not po_path.exists():
        return [MISSING_PO]
    committed = {e.key for e in parse_po(po_path)}
    _keys, entries = extracted_msgids()
    missing = [e for e in entries if e.key not in committed]
    return [
        f"not in the catalogue (run `make messages` and translate): {e.msgid!r}"
        + (f" (context {e.msgctxt!r})" if e.msgctxt is not None else "")
        for e in missing
    ]


def update_catalogue() -> None:
    """``make messages``: merge new msgids into the committed catalogue (same extraction as the
    check, so the two never disagree), then compile it."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    with _source_copy() as copy:
        locale_dir = copy / "zhaoyin" / "locale"
        cwd = Path.cwd()
        os.chdir(copy)
        try:
            with override_settings(LOCALE_PATHS=[str(locale_dir)]):
                call_command("makemessages", locale=[LOCALE], no_location=True, no_obsolete=True, verbosity=0)
        finally:
            os.chdir(cwd)
        PO_PATH.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(locale_dir / LOCALE / "LC_MESSAGES" / "django.po", PO_PATH)
    with override_settings(LOCALE_PATHS=[str(PACKAGE / "locale")]):
        call_command("compilemessages", locale=[LOCALE], verbosity=0)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if "--update" in sys.argv[1:]:
        update_catalogue()
        print("check_messages: catalogue updated; translate the new entries, then run make check")
        return 0
    problems = catalogue_problems()
    if PO_PATH.exists():
        problems += extraction_problems() + compiled_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check_messages: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_messages: the zh-hans catalogue is complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
