"""Projects: the name's 拼音首字母 added to ``search_text`` of the rows stored before (issue 16).

The text is built here as the model's ``refresh_search_text`` builds it today, not by calling
it, so that a later change to the model cannot change what this migration did; the batched
loop is ``core.search.rewrite_search_text``.
Backwards: the initials are left in place (they only widen a search).
"""

from typing import Any

from django.db import migrations


def _text(code: Any, name: Any, investor_name: Any) -> str:
    from zhaoyin.core.search import search_fold
    from zhaoyin.lib.pinyin import pinyin_initials

    parts = (code, name, pinyin_initials(name), investor_name)
    return search_fold(" ".join(p for p in parts if p))[:500]


def forwards(apps: Any, schema_editor: Any) -> None:
    from zhaoyin.core.search import rewrite_search_text

    rewrite_search_text(apps.get_model("projects", "Project"), ("code", "name", "investor_name"), _text)


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_attraction_method_local_expansion")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
