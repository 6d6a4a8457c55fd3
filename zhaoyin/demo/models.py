"""What the demo loader remembers: which year the Huainan demo was loaded into."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoYear(models.Model):
    """A year the demo was loaded into (``zhaoyin demo --year``).

    Later modules (targets, funds, matters) read ``selectors.demo_year()`` to place their
    demo records in the same year as the enterprises' figures.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("demo year")
        verbose_name_plural = _("demo years")
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return str(self.year)
