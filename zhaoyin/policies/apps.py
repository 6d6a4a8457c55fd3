from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "zhaoyin.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        # Stored verdicts follow every enterprise write: the enterprises app sends a signal
        # rather than importing this app (it sits below it).
        from zhaoyin.enterprises.signals import enterprises_changed
        from zhaoyin.policies.matching import rematch_changed

        enterprises_changed.connect(rematch_changed, dispatch_uid="policies-rematch")

        # The stored verdicts are rebuilt nightly in `zhaoyin worker` (age_years conditions move
        # with the date; a missed hook is repaired): zhaoyin.policies.matching.run_refresh_job.
        from zhaoyin.core import periodic
        from zhaoyin.policies.matching import run_refresh_job

        periodic.register("policies-match-refresh", 24 * 3600, run_refresh_job)

        # Policies in force whose validity has ended become expired (the table's `expire` row).
        from zhaoyin.policies.services import run_expire_job

        periodic.register("policies-expire", 24 * 3600, run_expire_job)
