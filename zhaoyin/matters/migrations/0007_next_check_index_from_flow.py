# The partial index of the escalation scan, its condition now built from flow.OPEN_STATES (the
# same four states, listed in the lifecycle order): rebuilt under the same name.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0006_tally_and_list_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='matter',
            name='matter_next_check',
        ),
        migrations.AddIndex(
            model_name='matter',
            index=models.Index(condition=models.Q(('state__in', ['assigned', 'accepted', 'reported', 'returned'])), fields=['next_check_at'], name='matter_next_check'),
        ),
    ]
