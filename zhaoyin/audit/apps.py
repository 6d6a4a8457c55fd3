from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "zhaoyin.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Registers the retention check (AUD-05).
        from zhaoyin.audit import checks  # noqa: F401
