from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentProjectsConfig(AppConfig):
    """Talent projects (人才项目申报, issue 13 item 6): applications of talents to programmes
    such as the province's 特支计划 and the city's 平台引才奖补, 推荐 → 立项 → 资金."""

    name = "zhaoyin.talentprojects"
    label = "talentprojects"
    verbose_name = _("Talent projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Hand-off notices of the table and its part of 我的待办 (zhaoyin.core.todo).
        from zhaoyin.core import todo
        from zhaoyin.notifications import handoff
        from zhaoyin.talentprojects import flow
        from zhaoyin.talentprojects.todo import TalentProjectResolver, TalentProjectTodo

        handoff.register(flow.TABLE, TalentProjectResolver())
        todo.register(TalentProjectTodo())
