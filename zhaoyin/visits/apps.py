from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "zhaoyin.visits"
    label = "visits"
    verbose_name = _("Enterprise service")

    def ready(self) -> None:
        # A service member's home panel: 记录走访 and the firms not yet visited this quarter.
        from zhaoyin.core import home
        from zhaoyin.visits.home import home_part

        home.register("visits", home_part, order=5)
