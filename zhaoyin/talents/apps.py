from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentsConfig(AppConfig):
    name = "zhaoyin.talents"
    label = "talents"
    verbose_name = _("Talents")

    def ready(self) -> None:
        # The home page's talent figures and the portal user's own record (core.home asks
        # each app for its entries).
        from zhaoyin.core import home
        from zhaoyin.talents.home import home_part, portal_panels

        home.register("talents", home_part, order=15)
        home.register_portal("talents", portal_panels, order=10)
