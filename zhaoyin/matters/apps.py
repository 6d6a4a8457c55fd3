from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "zhaoyin.matters"
    label = "matters"
    verbose_name = _("Assigned matters")

    def ready(self) -> None:
        # Provisional deadlines are recomputed when a year's holiday notice is loaded.
        from zhaoyin.matters.clocks import recompute_provisional_deadlines
        from zhaoyin.workcalendar.services import register_deadline_recomputer

        register_deadline_recomputer("matters", recompute_provisional_deadlines)

        # The escalation ladder runs in `zhaoyin worker` every five minutes (zhaoyin.matters.scan).
        from zhaoyin.core import periodic
        from zhaoyin.matters.scan import run_scan_job

        periodic.register("matters-escalation-scan", 300, run_scan_job)

        # Hand-off notices from the transition table (zhaoyin.notifications.handoff), and the
        # matters' part of each user's to-do list (zhaoyin.core.todo).
        from zhaoyin.core import todo
        from zhaoyin.matters.flow import MATTER_TABLE
        from zhaoyin.matters.notices import MatterResolver
        from zhaoyin.matters.todo import MatterTodo
        from zhaoyin.notifications import handoff

        handoff.register(MATTER_TABLE, MatterResolver())
        todo.register(MatterTodo())
