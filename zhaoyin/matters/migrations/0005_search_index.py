"""The bigram search index of matters (zhaoyin.core.search): FTS5 on SQLite, GIN on PostgreSQL."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from zhaoyin.matters.search import SEARCH_INDEX

    SEARCH_INDEX.install(schema_editor)


def uninstall(apps: Any, schema_editor: Any) -> None:
    from zhaoyin.matters.search import SEARCH_INDEX

    SEARCH_INDEX.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("matters", "0004_kpi_facts_search_text")]

    operations = [migrations.RunPython(install, uninstall)]
