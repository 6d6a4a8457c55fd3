from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MujunConfig(AppConfig):
    name = "zhaoyin.mujun"
    label = "mujun"
    verbose_name = _("Land-efficiency evaluation")

    def ready(self) -> None:
        # The project page's 亩均 conditions section (履约): projects sits below mujun and
        # learns of it only through its registry.
        from zhaoyin.mujun.views_schemes import project_conditions_section
        from zhaoyin.projects import extensions

        extensions.register_detail_section(project_conditions_section)

        # Hand-off notices of the run machine and its part of 我的待办 (zhaoyin.core.todo).
        from zhaoyin.core import todo
        from zhaoyin.mujun.flow import RUN_TABLE
        from zhaoyin.mujun.todo import RunResolver, RunTodo
        from zhaoyin.notifications import handoff

        handoff.register(RUN_TABLE, RunResolver())
        todo.register(RunTodo())
