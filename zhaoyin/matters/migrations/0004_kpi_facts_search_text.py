"""The stored KPI facts and the search text of matters, filled in for the existing rows."""

from typing import Any

from django.db import migrations, models

BATCH = 2000


def backfill(apps: Any, schema_editor: Any) -> None:
    """Derive the facts of the existing matters from their columns and events."""
    from zhaoyin.matters.models import derive_facts
    from zhaoyin.workcalendar.selectors import current_calendar

    Matter = apps.get_model("matters", "Matter")
    MatterEvent = apps.get_model("matters", "MatterEvent")
    if not Matter.objects.exists():
        return
    calendar = current_calendar()
    returned = set(MatterEvent.objects.filter(action="return").values_list("matter_id", flat=True))
    fields = ["returned", "signed_on_time", "closed_on_time", "workdays_to_close", "search_text"]
    batch = []
    for m in Matter.objects.order_by("pk").iterator(chunk_size=BATCH):
        derive_facts(m, calendar, returned=m.pk in returned)
        batch.append(m)
        if len(batch) >= BATCH:
            Matter.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Matter.objects.bulk_update(batch, fields)


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
