from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "zhaoyin.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Registers the retention check (AUD-05).
        from zhaoyin.audit import checks  # noqa: F401
        from zhaoyin.audit.checkpoints import run_checkpoint_job
        from zhaoyin.core import periodic

        # A signed checkpoint outside the database, daily (issue 12 D2).
        periodic.register("audit-checkpoint", 24 * 3600, run_checkpoint_job)
