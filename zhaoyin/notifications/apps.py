from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The in-app inbox and the outbox that delivers notifications by e-mail and SMS."""

    name = "zhaoyin.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The worker delivers the outbox every minute (retries wait their backoff).
        from zhaoyin.core import periodic
        from zhaoyin.notifications.services import deliver_outbox_job

        periodic.register("notifications-deliver", 60, deliver_outbox_job)
