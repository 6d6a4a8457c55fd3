"""The single CalendarVersion row, so every process has a token to compare from the start."""

from django.db import migrations


def create_row(apps, schema_editor):
    CalendarVersion = apps.get_model("workcalendar", "CalendarVersion")
    CalendarVersion.objects.get_or_create(id=1, defaults={"number": 0, "token": "initial"})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
