from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApartmentsConfig(AppConfig):
    name = "zhaoyin.apartments"
    label = "apartments"
    verbose_name = _("Talent apartments")

    def ready(self) -> None:
        # The hand-off notices of both machines and the 60-day expiry reminders (a periodic
        # job run by ``zhaoyin worker``; ops imports no app, the app registers here).
        from zhaoyin.apartments import reminders
        from zhaoyin.apartments.flow import APPLICATION_TABLE, TENANCY_TABLE
        from zhaoyin.apartments.notices import ApplicationResolver, TenancyResolver
        from zhaoyin.core import periodic
        from zhaoyin.notifications import handoff

        handoff.register(APPLICATION_TABLE, ApplicationResolver())
        handoff.register(TENANCY_TABLE, TenancyResolver())
        periodic.register(reminders.JOB_NAME, 6 * 3600, reminders.remind_expiring_job)
