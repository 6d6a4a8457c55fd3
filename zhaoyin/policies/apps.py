from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "zhaoyin.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        # Policies in force whose validity has ended become expired (the table's `expire` row).
        from zhaoyin.core import periodic
        from zhaoyin.policies.services import run_expire_job

        periodic.register("policies-expire", 24 * 3600, run_expire_job)
