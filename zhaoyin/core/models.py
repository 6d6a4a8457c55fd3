"""Shared models of the core app: the record of every Excel import (IMP-01, IMP-02)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    """Where an import batch stands: previewed (dry run), committed, or failed at commit."""

    PREVIEW = "preview", _("Previewed")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One uploaded workbook of one import kind, from its dry run to its commit.

    The file is kept server-side under ``DATA_DIR/imports`` with a random name
    (``stored_name``) between preview and commit, so the commit re-validates exactly the bytes
    that were previewed (checked against ``sha256``); it is deleted once committed (RES-02).
    ``filename`` is the uploader's name for the file, kept for display only (FILE-05).
    ``errors`` holds the row errors of the latest run as ``[row, column, reason]`` triples,
    the source of the downloadable error report.
    """

    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    stored_name = models.CharField(_("stored file"), max_length=64, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    rows_in = models.PositiveIntegerField(_("rows in file"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256", "status"], name="import_batch_kind_sha")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.filename}"


class StoredFile(models.Model):
    """The columns every attachment shares (project evidence, matter, policy and visit files):
    the name the user gave, the random name it is stored under by ``core.files``, the sniffed
    type, size and digest, who uploaded it and when. Concrete models add their owner."""

    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(_("stored name"), max_length=64, unique=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name
