from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "zhaoyin.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self) -> None:
        # The home page's enterprise figures (zhaoyin.core.home asks each app for its entries).
        from zhaoyin.core import home
        from zhaoyin.enterprises.home import home_part

        home.register("enterprises", home_part, order=10)
