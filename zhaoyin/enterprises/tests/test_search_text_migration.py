"""The 拼音首字母 data migration (enterprises 0006, issue 16): rows stored before it get the
initials in ``search_text``, batch by batch, through core.search.rewrite_search_text."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps as django_apps

from zhaoyin.core.search import rewrite_search_text
from zhaoyin.enterprises.models import Enterprise

migration = importlib.import_module("zhaoyin.enterprises.migrations.0006_search_text_pinyin")


def test_rows_stored_before_get_the_initials_in_every_batch(make_enterprise: Any) -> None:
    firms = [make_enterprise(name=name) for name in ("淮南新能源科技", "寿县粮油加工", "凤台煤电装备")]
    Enterprise.objects.update(search_text="")  # as stored before the migration

    # The migration's own text, over batches smaller than the table (three rows, two a batch).
    fields = ("name", "uscc", "legal_representative", "address")
    rewrite_search_text(django_apps.get_model("enterprises", "Enterprise"), fields, migration._text, batch=2)

    texts = dict(Enterprise.objects.values_list("pk", "search_text"))
    assert "HNXNYKJ" in texts[firms[0].pk]
    assert "SXLYJG" in texts[firms[1].pk]
    assert "FTMDZB" in texts[firms[2].pk]
    # The same text the model writes today: the migration and refresh_search_text agree.
    for firm in firms:
        firm.refresh_from_db()
        stored = firm.search_text
        firm.refresh_search_text()
        assert firm.search_text == stored


def test_the_migration_runs_over_the_real_table(make_enterprise: Any) -> None:
    firm = make_enterprise(name="毛集实验区旅游")
    Enterprise.objects.update(search_text="")
    migration.forwards(django_apps, None)
    firm.refresh_from_db()
    assert "MJSYQLY" in firm.search_text
