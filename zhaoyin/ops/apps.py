from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the production server, the background worker, backup and restore."""

    name = "zhaoyin.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Registers the periodic jobs this app owns (session cleanup).
        from zhaoyin.ops import jobs  # noqa: F401
