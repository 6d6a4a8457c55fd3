"""The stored KPI facts and the search text of matters, filled in for the existing rows."""

from typing import Any

from django.db import migrations, models

BATCH = 5000


def backfill(apps: Any, schema_editor: Any) -> None:
    """Derive the facts of the existing matters from their columns and events.

    Written with one parametrised UPDATE per row through ``executemany`` (a ``bulk_update``
    builds a CASE over the batch, which is quadratic: hours at a million matters)."""
    from zhaoyin.matters.models import derive_facts
    from zhaoyin.workcalendar.selectors import current_calendar

    Matter = apps.get_model("matters", "Matter")
    MatterEvent = apps.get_model("matters", "MatterEvent")
    if not Matter.objects.exists():
        return
    calendar = current_calendar()
    returned = set(MatterEvent.objects.filter(action="return").values_list("matter_id", flat=True))
    sql = (
        "UPDATE matters_matter SET returned = %s, signed_on_time = %s, closed_on_time = %s, "
        "workdays_to_close = %s, search_text = %s WHERE id = %s"
    )
    rows = []
    with schema_editor.connection.cursor() as cursor:
        for m in Matter.objects.order_by("pk").iterator(chunk_size=BATCH):
            derive_facts(m, calendar, returned=m.pk in returned)
            rows.append(
                (m.returned, m.signed_on_time, m.closed_on_time, m.workdays_to_close, m.search_text, m.pk)
            )
            if len(rows) >= BATCH:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0003_kpi_period_index"),
        ("workcalendar", "0002_calendar_version_row"),
    ]

    operations = [
        migrations.AddField(
            model_name="matter",
            name="closed_on_time",
            field=models.BooleanField(default=False, editable=False, verbose_name="closed in time"),
        ),
        migrations.AddField(
            model_name="matter",
            name="returned",
            field=models.BooleanField(default=False, editable=False, verbose_name="returned"),
        ),
        migrations.AddField(
            model_name="matter",
            name="search_text",
            field=models.CharField(default="", editable=False, max_length=400, verbose_name="search text"),
        ),
        migrations.AddField(
            model_name="matter",
            name="signed_on_time",
            field=models.BooleanField(default=False, editable=False, verbose_name="signed for in time"),
        ),
        migrations.AddField(
            model_name="matter",
            name="workdays_to_close",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="working days to close"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
