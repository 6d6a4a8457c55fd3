"""Policies: the title's 拼音首字母 added to ``search_text`` of the rows stored before (issue 16).

The text is built here as the model's ``refresh_search_text`` builds it today, not by calling
it, so that a later change to the model cannot change what this migration did; the batched
loop is ``core.search.rewrite_search_text``.
Backwards: the initials are left in place (they only widen a search).
"""

from typing import Any

from django.db import migrations


def _text(title: Any, issuer: Any, doc_no: Any, summary: Any) -> str:
    from zhaoyin.core.search import search_fold
    from zhaoyin.lib.pinyin import pinyin_initials

    parts = (title, pinyin_initials(title), issuer, doc_no, summary[:200])
    return search_fold(" ".join(p for p in parts if p))[:600]


def forwards(apps: Any, schema_editor: Any) -> None:
    from zhaoyin.core.search import rewrite_search_text

    rewrite_search_text(apps.get_model("policies", "Policy"), ("title", "issuer", "doc_no", "summary"), _text)


class Migration(migrations.Migration):
    dependencies = [("policies", "0005_policy_benefit_type")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
