from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Investment projects: the pipeline, stage history, evidence and funds in place."""

    name = "zhaoyin.projects"
    label = "projects"
    verbose_name = _("Investment projects")

    def ready(self) -> None:
        # Registers the hourly refresh of the stored 红黄绿 lights.
        from zhaoyin.core import periodic
        from zhaoyin.projects.alerts import refresh_all

        periodic.register("projects.alerts", 3600, refresh_all)

        # The funds entries' part of 我的待办 (zhaoyin.core.todo): 待核查到位资金 for the verifier.
        from zhaoyin.core import todo
        from zhaoyin.projects.todo import FundEntryTodo

        todo.register(FundEntryTodo())
