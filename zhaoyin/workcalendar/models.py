"""Working-day calendar data: the administrator's exceptions, the years whose State Council
notice has been loaded, and a version row that tells every process when to rebuild its
in-memory calendar (zhaoyin.workcalendar.calendar)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExceptionKind(models.TextChoices):
    """Whether an exception makes its day a day off or a working day."""

    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKDAY = "workday", _("Working day")


class CalendarException(models.Model):
    """One day whose status the administrator has fixed; it wins over the seed and the
    statutory projection. Written only by zhaoyin.workcalendar.services."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ExceptionKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True,
        help_text=_("The notice this day comes from, e.g. 国办发明电〔2026〕1号."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"

    @property
    def is_workday(self) -> bool:
        return self.kind == ExceptionKind.WORKDAY


class OfficialYear(models.Model):
    """A year whose State Council holiday notice has been loaded: no longer provisional."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    notice = models.CharField(_("notice reference"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("official year")
        verbose_name_plural = _("official years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarVersion(models.Model):
    """A single row (id 1) changed in the same transaction as any exception or official year.

    ``token`` is new on every change, so a process whose cached calendar was built from a
    different token rebuilds it; a rolled-back change's token is never seen again, so a
    calendar built inside a transaction that later failed cannot be mistaken for current.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.PositiveIntegerField(_("version"), default=0)
    token = models.CharField(_("token"), max_length=32, default="initial")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="calendar_version_single_row")]

    def __str__(self) -> str:
        return str(self.number)
