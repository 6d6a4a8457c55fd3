from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhaoyin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The SQLite bigram search index's triggers call a Python function (zhaoyin.core.search).
        from django.db.backends.signals import connection_created

        from zhaoyin.core.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="zhaoyin-search-functions")

        from zhaoyin.core.sqlite_files import make_private

        connection_created.connect(make_private, dispatch_uid="zhaoyin-sqlite-private")

        from zhaoyin.core import checks, lookups

        lookups.register()
        checks.register()
