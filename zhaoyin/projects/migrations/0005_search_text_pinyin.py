"""Projects: the name's 拼音首字母 added to ``search_text`` of the rows stored before (issue 16).

The text is built here as the model's ``refresh_search_text`` builds it today, not by calling
it, so that a later change to the model cannot change what this migration did. Rows are read
and written in batches of 1000 (ids in order), so a province-scale table is never held in
memory at once. Backwards: the initials are left in place (they only widen a search).
"""

from typing import Any

from django.db import migrations

BATCH = 1000


def _texts(row: tuple[Any, ...]) -> str:
    from zhaoyin.core.search import search_fold
    from zhaoyin.lib.pinyin import pinyin_initials

    code, name, investor_name = row
    parts = (code, name, pinyin_initials(name), investor_name)
    return search_fold(" ".join(p for p in parts if p))[:500]


def forwards(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("projects", "Project")
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "code", "name", "investor_name")[:BATCH]
        )
        if not rows:
            return
        changed = []
        for pk, *values in rows:
            text = _texts(tuple(values))
            changed.append(model(pk=pk, search_text=text))
        model.objects.bulk_update(changed, ["search_text"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_attraction_method_local_expansion")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
