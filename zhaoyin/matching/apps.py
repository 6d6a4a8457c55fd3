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
        from zhaoyin.matching.talent_verdicts import rematch_policy_both, rematch_talents_changed
        from zhaoyin.matching.verdicts import rematch_changed
        from zhaoyin.policies.signals import policy_matching_changed
        from zhaoyin.talents.signals import talents_changed

        enterprises_changed.connect(rematch_changed, dispatch_uid="policies-rematch")
        # A policy's change re-matches both sides (enterprises, and talents for a talent policy:
        # issue 13); a talent's change re-matches the talent.
        policy_matching_changed.connect(rematch_policy_both, dispatch_uid="matching-rematch-policy")
        talents_changed.connect(rematch_talents_changed, dispatch_uid="matching-rematch-talents")

        # The stored verdicts are rebuilt nightly in `zhaoyin worker` (age_years conditions move
        # with the date; a missed hook is repaired): enterprises, then talents
        # (zhaoyin.matching.talent_verdicts.run_nightly_job).
        from zhaoyin.core import periodic
        from zhaoyin.matching.talent_verdicts import run_nightly_job

        periodic.register("policies-match-refresh", 24 * 3600, run_nightly_job)

        # The payout ledger flags an entry against the verdict (issue 15) without importing
        # this app: it asks the library's provider, which is this.
        from zhaoyin.matching.verdicts import verdict_of
        from zhaoyin.policies import extensions

        extensions.register_verdict_provider(verdict_of)
