from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MujunConfig(AppConfig):
    name = "zhaoyin.mujun"
    label = "mujun"
    verbose_name = _("Land-efficiency evaluation")
