from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "zhaoyin.matching"
    label = "matching"
    verbose_name = _("Policy matches")

    def ready(self) -> None:
        # Stored verdicts follow every enterprise write and every policy change: the apps below
        # send signals rather than importing this one. The dispatch uid and the job name are the
        # ones of the time this code lived in the policies app.
        from zhaoyin.enterprises.signals import enterprises_changed
        from zhaoyin.matching.verdicts import rematch_changed, rematch_policy
        from zhaoyin.policies.signals import policy_matching_changed

        enterprises_changed.connect(rematch_changed, dispatch_uid="policies-rematch")
        policy_matching_changed.connect(rematch_policy, dispatch_uid="matching-rematch-policy")

        # The stored verdicts are rebuilt nightly in `zhaoyin worker` (age_years conditions move
        # with the date; a missed hook is repaired): zhaoyin.matching.verdicts.run_refresh_job.
        from zhaoyin.core import periodic
        from zhaoyin.matching.verdicts import run_refresh_job

        periodic.register("policies-match-refresh", 24 * 3600, run_refresh_job)
