"""Enterprises: the name's 拼音首字母 added to ``search_text`` of the rows stored before (issue 16).

The text is built here as the model's ``refresh_search_text`` builds it today, not by calling
it, so that a later change to the model cannot change what this migration did; the batched
loop is ``core.search.rewrite_search_text``.
Backwards: the initials are left in place (they only widen a search).
"""

from typing import Any

from django.db import migrations


def _text(name: Any, uscc: Any, legal_representative: Any, address: Any) -> str:
    from zhaoyin.core.search import search_fold
    from zhaoyin.lib.pinyin import pinyin_initials

    parts = (name, pinyin_initials(name), uscc, legal_representative, address)
    return search_fold(" ".join(p for p in parts if p))[:500]


def forwards(apps: Any, schema_editor: Any) -> None:
    from zhaoyin.core.search import rewrite_search_text

    fields = ("name", "uscc", "legal_representative", "address")
    rewrite_search_text(apps.get_model("enterprises", "Enterprise"), fields, _text)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_enterprise_grade")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
