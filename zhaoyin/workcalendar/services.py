"""Writes to the working-day calendar: exceptions, official years, notice imports.

Every service runs in one transaction with its audit record, and changes
``CalendarVersion.token`` so that every process rebuilds its cached calendar
(zhaoyin.workcalendar.selectors.current_calendar). The version row is locked first, so
calendar writes are serialised.

Stored deadlines that were computed over a provisional year are recomputed when that year
becomes official (a notice import, or ``official_year_mark``): apps that store deadlines
register a recomputer with ``register_deadline_recomputer``; each is called inside the
same transaction, after the new calendar is in place, and its count of changed records is
written to the audit record.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.core.errors import InvalidInput
from zhaoyin.workcalendar.models import CalendarException, CalendarVersion, ExceptionKind, OfficialYear
from zhaoyin.workcalendar.notice import NoticeFileError, NoticeRow, RowError, parse_notice
from zhaoyin.workcalendar.selectors import current_calendar

#: fn(acting_user, years) → number of stored records whose deadline changed.
Recomputer = Callable[[User | None, set[int]], int]

_RECOMPUTERS: dict[str, Recomputer] = {}

NAME_MAX, NOTE_MAX, SOURCE_MAX = 100, 500, 200


def register_deadline_recomputer(name: str, fn: Recomputer) -> None:
    """Register (or replace) the function that recomputes one app's provisional deadlines.

    Call it from the app's ``AppConfig.ready``. ``fn(acting_user, years)`` must recompute every
    stored deadline whose counted days touch one of ``years`` (typically: those flagged
    provisional), write its own history/audit, and return how many records changed. It runs
    inside the calendar change's transaction: raising rolls the whole change back.
    """
    _RECOMPUTERS[name] = fn


def unregister_deadline_recomputer(name: str) -> None:
    """Remove a recomputer (tests)."""
    _RECOMPUTERS.pop(name, None)


def _run_recomputers(acting_user: User | None, years: set[int]) -> dict[str, int]:
    return {name: int(fn(acting_user, set(years))) for name, fn in sorted(_RECOMPUTERS.items())}


def _lock_version() -> CalendarVersion:
    version, _created = CalendarVersion.objects.select_for_update().get_or_create(id=1)
    return version


def _bump(version: CalendarVersion) -> None:
    version.number += 1
    version.token = uuid.uuid4().hex
    version.changed_at = timezone.now()
    version.save(update_fields=["number", "token", "changed_at"])


def _check_in_range(field_name: str, day: dt.date) -> None:
    cal = current_calendar()
    if not cal.first_date <= day <= cal.last_date:
        raise InvalidInput.field(field_name, _("The calendar covers %(first)s to %(last)s.") % {
            "first": cal.first_date.isoformat(), "last": cal.last_date.isoformat(),
        })


def _check_year(year: int) -> None:
    cal = current_calendar()
    if not cal.first_year <= year <= cal.last_year:
        raise InvalidInput.field("year", _("The calendar covers the years %(first)s to %(last)s.") % {
            "first": cal.first_year, "last": cal.last_year,
        })


def _text(field_name: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput.field(field_name, _("At most %(max)s characters.") % {"max": limit})
    return value


@transaction.atomic
def exception_add(
    *,
    acting_user: User,
    date: dt.date,
    kind: str,
    name: str = "",
    note: str = "",
    source: str = "",
) -> CalendarException:
    """Fix one day as a holiday or a working day, over the seed and the projection."""
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise InvalidInput.field("date", _("A date is required."))
    _check_in_range("date", date)
    if kind not in ExceptionKind.values:
        raise InvalidInput.field("kind", _("Choose holiday or working day."))
    name = _text("name", name, NAME_MAX)
    note = _text("note", note, NOTE_MAX)
    source = _text("source", source, SOURCE_MAX)
    version = _lock_version()
    if CalendarException.objects.filter(date=date).exists():
        raise InvalidInput.field("date", _("This date already has an exception; remove it first."))
    try:
        with transaction.atomic():
            exc = CalendarException.objects.create(
                date=date, kind=kind, name=name, note=note, source=source, created_by=acting_user,
            )
    except IntegrityError:
        raise InvalidInput.field("date", _("This date already has an exception; remove it first.")) from None
    _bump(version)
    audit_write(action="calendar.exception_add", user=acting_user, obj=exc, after=snapshot(exc))
    return exc


@transaction.atomic
def exception_remove(*, acting_user: User, exception: CalendarException) -> None:
    """Delete an exception: the day falls back to the notice data or the projection."""
    version = _lock_version()
    exc = CalendarException.objects.filter(pk=exception.pk).first()
    if exc is None:
        raise InvalidInput.field("exception", _("This exception no longer exists."))
    before = snapshot(exc)
    pk = exc.pk
    exc.delete()
    _bump(version)
    audit_write(action="calendar.exception_remove", user=acting_user,
                object_type=CalendarException._meta.label_lower, object_id=pk,
                object_repr=str(exc), before=before)


@transaction.atomic
def official_year_mark(*, acting_user: User, year: int, notice: str = "") -> tuple[OfficialYear, dict[str, int]]:
    """Declare ``year``'s notice loaded (its exceptions entered by hand): the year is no longer
    provisional, and stored provisional deadlines are recomputed. Returns the row and the
    recomputers' counts."""
    _check_year(year)
    notice = _text("notice", notice, SOURCE_MAX)
    version = _lock_version()
    if OfficialYear.objects.filter(year=year).exists():
        raise InvalidInput.field("year", _("This year's notice is already loaded."))
    official = OfficialYear.objects.create(year=year, notice=notice, loaded_by=acting_user)
    _bump(version)
    recomputed = _run_recomputers(acting_user, {year})
    audit_write(action="calendar.official_year_mark", user=acting_user, obj=official,
                after=snapshot(official) | {"recomputed": recomputed},
                detail=json.dumps({"recomputed": recomputed}, sort_keys=True))
    return official, recomputed


class NoticeImportError(InvalidInput):
    """A refused notice file; ``row_errors`` lists every fault with row, column and reason."""

    def __init__(self, row_errors: list[RowError]) -> None:
        super().__init__(
            _("The file was not imported: %(count)s problem(s) found.") % {"count": len(row_errors)},
            [{"field": "file", "message": e.as_text()} for e in row_errors],
        )
        self.row_errors = row_errors


@dataclass
class NoticeImportResult:
    """What a notice import changed."""

    year: int
    added: list[dt.date] = field(default_factory=list)
    changed: list[dt.date] = field(default_factory=list)
    removed: list[dt.date] = field(default_factory=list)
    unchanged: int = 0
    newly_official: bool = False
    recomputed: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def _infer_year(dates: list[dt.date]) -> int:
    counts = Counter(d.year for d in dates).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        raise InvalidInput.field("year", _("The file covers several years equally; state the notice's year."))
    return counts[0][0]


def notice_import(
    *,
    acting_user: User,
    data: bytes,
    year: int | None = None,
    notice: str = "",
) -> NoticeImportResult:
    """Load a State Council holiday notice from an .xlsx file (see zhaoyin.workcalendar.notice).

    All or nothing: any bad row refuses the whole file with every fault listed. The notice
    is authoritative for its year: exceptions dated in that year but absent from the file are
    removed; the file's days (which may reach into late December of the year before or
    January of the year after, as notices do) are added or updated. The year becomes
    official and the registered recomputers run. Importing the same file again changes
    nothing. The file is read and checked before the write transaction opens (on SQLite a
    transaction holds the one write lock; docs/architecture.md, "Transactions").
    """
    notice = _text("notice", notice, SOURCE_MAX)
    try:
        rows = parse_notice(data)
    except NoticeFileError as exc:
        raise NoticeImportError(exc.errors) from None
    if year is None:
        year = _infer_year([r.date for r in rows])
    _check_year(year)
    cal = current_calendar()
    window = (max(dt.date(year - 1, 12, 1), cal.first_date), min(dt.date(year + 1, 1, 31), cal.last_date))
    out_of_year = [
        RowError(r.row, "日期", _("%(date)s is not in the %(year)s notice's period.") % {
            "date": r.date.isoformat(), "year": year,
        })
        for r in rows if not window[0] <= r.date <= window[1]
    ]
    if out_of_year:
        raise NoticeImportError(out_of_year)
    with transaction.atomic():
        return _notice_apply(acting_user=acting_user, rows=rows, year=year, notice=notice)


def _notice_apply(*, acting_user: User, rows: list[NoticeRow], year: int, notice: str) -> NoticeImportResult:
    """The write half of ``notice_import``: the checked rows become the year's exceptions."""
    version = _lock_version()
    file_dates = {r.date for r in rows}
    existing = {
        e.date: e for e in CalendarException.objects.filter(Q(date__year=year) | Q(date__in=file_dates))
    }
    result = NoticeImportResult(year=year)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for r in rows:
        values = {"kind": r.kind, "name": r.name, "note": r.note, "source": notice}
        current = existing.get(r.date)
        if current is None:
            CalendarException.objects.create(date=r.date, created_by=acting_user, **values)
            result.added.append(r.date)
            after[r.date.isoformat()] = values
        elif any(getattr(current, k) != v for k, v in values.items()):
            before[r.date.isoformat()] = {k: getattr(current, k) for k in values}
            for k, v in values.items():
                setattr(current, k, v)
            current.save(update_fields=list(values))
            result.changed.append(r.date)
            after[r.date.isoformat()] = values
        else:
            result.unchanged += 1
    for d, e in sorted(existing.items()):
        if d.year == year and d not in file_dates:
            before[d.isoformat()] = {"kind": e.kind, "name": e.name, "note": e.note, "source": e.source}
            after[d.isoformat()] = None
            e.delete()
            result.removed.append(d)

    official = OfficialYear.objects.filter(year=year).first()
    if official is None:
        official = OfficialYear.objects.create(year=year, notice=notice, loaded_by=acting_user)
        result.newly_official = True
    elif notice and official.notice != notice:
        official.notice = notice
        official.save(update_fields=["notice"])

    if result.changes or result.newly_official:
        _bump(version)
        years = {year} | {d.year for d in (*result.added, *result.changed, *result.removed)}
        result.recomputed = _run_recomputers(acting_user, years)
    summary = {
        "year": year, "notice": notice, "added": len(result.added), "changed": len(result.changed),
        "removed": len(result.removed), "unchanged": result.unchanged,
        "newly_official": result.newly_official, "recomputed": result.recomputed,
    }
    audit_write(action="calendar.notice_import", user=acting_user, obj=official,
                before=before or None, after={"days": after, "summary": summary},
                detail=json.dumps(summary, sort_keys=True, ensure_ascii=False))
    return result
