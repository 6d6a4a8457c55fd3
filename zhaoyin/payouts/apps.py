from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "zhaoyin.payouts"
    label = "payouts"
    verbose_name = _("Payouts")

    def ready(self) -> None:
        # Hand-off notices of the payout ledger and its part of 我的待办 (zhaoyin.core.todo).
        from zhaoyin.core import periodic, todo
        from zhaoyin.notifications import handoff
        from zhaoyin.payouts.services import PAYOUT_TABLE
        from zhaoyin.payouts.talent_services import TALENT_PAYOUT_TABLE
        from zhaoyin.payouts.todo import (
            PUBLICITY_JOB,
            PayoutResolver,
            PayoutTodo,
            TalentPayoutResolver,
            notify_publicity_over_job,
        )
        from zhaoyin.payouts.views import policy_page_links
        from zhaoyin.policies import extensions

        handoff.register(PAYOUT_TABLE, PayoutResolver())
        # A talent's entries (issue 13): their own table, resolver and the 公示's end, told
        # to the payers by the worker once per entry.
        handoff.register(TALENT_PAYOUT_TABLE, TalentPayoutResolver())
        periodic.register(PUBLICITY_JOB, 3600, notify_publicity_over_job)
        # A talent's departure stops their unpaid subsidies after it, in the departure's own
        # transaction (issue 13); the talents app sends the signal without knowing the ledger.
        from zhaoyin.payouts.talent_services import stop_on_departure
        from zhaoyin.talents.signals import talents_changed

        talents_changed.connect(stop_on_departure, dispatch_uid="payouts-stop-on-departure")
        todo.register(PayoutTodo())
        # The "register a payout" link on a policy's page: the policies app knows no payouts.
        extensions.register_page_links(policy_page_links)
        # 人才补贴申请: its notices, its 我的待办 heading, the "apply" link on a talent's policies.
        from zhaoyin.payouts import application_views

        application_views.register()
