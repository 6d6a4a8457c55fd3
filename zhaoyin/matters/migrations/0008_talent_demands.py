# Talent demands (issue 13): the talent a demand serves and its category. SQLite rebuilds the
# matter table for the new column with a default and the new constraint, which drops the
# tally triggers and the search index's triggers: they are taken down before and put back
# (and refilled) after, as zhaoyin.matters.tally asks of every migration altering the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhaoyin.matters import tally


_down, _up = tally.migration_take_down, tally.migration_put_back


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_alter_roleassignment_role'),
        ('enterprises', '0004_sort_indexes'),
        ('matters', '0007_next_check_index_from_flow'),
        ('projects', '0002_milestones_alerts_and_fund_rollup'),
        ('talents', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_down, _up),
        migrations.AddField(
            model_name='matter',
            name='demand_category',
            field=models.CharField(blank=True, choices=[('housing', 'Housing'), ('schooling', "Children's schooling"), ('spouse_employment', 'Spouse employment'), ('project_application', 'Project application'), ('medical', 'Medical care'), ('other', 'Other')], max_length=24, verbose_name='demand category'),
        ),
        migrations.AddField(
            model_name='matter',
            name='talent',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='matters', to='talents.talent', verbose_name='talent'),
        ),
        migrations.AddConstraint(
            model_name='matter',
            constraint=models.CheckConstraint(condition=models.Q(('demand_category', ''), ('demand_category__in', ['housing', 'schooling', 'spouse_employment', 'project_application', 'medical', 'other']), _connector='OR'), name='matter_demand_category_valid'),
        ),
        migrations.RunPython(_up, _down),
    ]
