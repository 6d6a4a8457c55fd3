from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MujunConfig(AppConfig):
    name = "zhaoyin.mujun"
    label = "mujun"
    verbose_name = _("Land-efficiency evaluation")

    def ready(self) -> None:
        # Hand-off notices of the run machine and its part of 我的待办 (zhaoyin.core.todo).
        from zhaoyin.core import todo
        from zhaoyin.mujun.flow import RUN_TABLE
        from zhaoyin.mujun.todo import RunResolver, RunTodo
        from zhaoyin.notifications import handoff

        handoff.register(RUN_TABLE, RunResolver())
        todo.register(RunTodo())
