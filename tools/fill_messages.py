"""Fill msgstr of the zh_Hans catalogue from a JSON file {msgid: msgstr} (no polib needed).

For every entry whose msgid is in the file: set the msgstr, drop the ``fuzzy`` flag and the
``#|`` previous-msgid lines. Single-line msgids only (the common case); an entry with a
context is named ``"context::msgid"`` in the file. Prints what it did and the fuzzy or empty
entries it left alone. Usage::

    python tools/fill_messages.py translations.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "zhaoyin/locale/zh_Hans/LC_MESSAGES/django.po"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquote(line: str) -> str:
    return json.loads(line) if line.startswith('"') else line


def main(argv: list[str]) -> int:
    wanted: dict[str, str] = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    filled, left = 0, []
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        ids = [n for n, line in enumerate(lines) if line.startswith("msgid ")]
        if not ids or any(line.startswith("msgid_plural") for line in lines):
            continue
        n = ids[0]
        match = re.match(r"msgid (\".*\")$", lines[n])
        if not match or n + 1 >= len(lines) or not lines[n + 1].startswith("msgstr "):
            continue
        msgid = _unquote(match.group(1))
        context = next((_unquote(ln[len("msgctxt "):]) for ln in lines[:n] if ln.startswith("msgctxt ")), "")
        if context:
            msgid = f"{context}::{msgid}"
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        empty = lines[n + 1] == 'msgstr ""' and len(lines) == n + 2
        if msgid in wanted:
            kept = [ln for ln in lines[:n] if not ln.startswith("#|")]
            kept = [re.sub(r",? ?fuzzy", "", ln) if ln.startswith("#,") else ln for ln in kept]
            kept = [ln for ln in kept if ln.strip() not in ("#,", "#")]
            blocks[i] = "\n".join([*kept, lines[n], "msgstr " + _quote(wanted[msgid])])
            filled += 1
        elif (fuzzy or empty) and msgid:
            left.append(msgid)
    PO.write_text("\n\n".join(blocks), encoding="utf-8")
    print(f"filled {filled}; still fuzzy or empty: {len(left)}")
    for msgid in left:
        print("  ", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
