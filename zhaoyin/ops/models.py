"""State of the periodic jobs run by ``zhaoyin worker`` (CONC-05)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJobState(models.Model):
    """One row per registered periodic job.

    A worker runs a job only after moving ``last_run_at`` forward with a conditional UPDATE
    (``WHERE last_run_at <= now - period``); the database lets exactly one of several
    concurrent workers win that update, so a period's run happens once.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_status = models.CharField(_("last status"), max_length=10, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_worker = models.CharField(_("last worker"), max_length=64, blank=True)
    run_count = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
