from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The project catalog (招商项目册, DESIGN 3.4)."""

    name = "zhaoyin.catalog"
    label = "catalog"
    verbose_name = _("Project catalog")
    default_auto_field = "django.db.models.BigAutoField"
