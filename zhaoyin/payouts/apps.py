from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "zhaoyin.payouts"
    label = "payouts"
    verbose_name = _("Payouts")

    def ready(self) -> None:
        # Hand-off notices of the payout ledger and its part of 我的待办 (zhaoyin.core.todo).
        from zhaoyin.core import todo
        from zhaoyin.notifications import handoff
        from zhaoyin.payouts.services import PAYOUT_TABLE
        from zhaoyin.payouts.todo import PayoutResolver, PayoutTodo
        from zhaoyin.payouts.views import policy_page_links
        from zhaoyin.policies import extensions

        handoff.register(PAYOUT_TABLE, PayoutResolver())
        todo.register(PayoutTodo())
        # The "register a payout" link on a policy's page: the policies app knows no payouts.
        extensions.register_page_links(policy_page_links)
