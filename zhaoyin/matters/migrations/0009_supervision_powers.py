# The 督查室's powers (issue 15 item 4): the 督办单 (numbered per year by its own counter), the
# supervising leader and 限期 of a listed matter, the day of the last progress (进展滞后), and who
# issued a notice by hand. SQLite may rebuild the matter table for the new columns, which drops
# the tally triggers and the search index's triggers: they are taken down before and put back
# (and refilled) after, as zhaoyin.matters.tally asks of every migration altering the table.
# Matters in progress keep last_progress_on NULL: the rule then counts from their signing for.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from zhaoyin.matters import tally

_down, _up = tally.migration_take_down, tally.migration_put_back


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alter_roleassignment_role'),
        ('enterprises', '0005_enterprise_grade'),
        ('matters', '0008_talent_demands'),
        ('projects', '0002_milestones_alerts_and_fund_rollup'),
        ('talents', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_down, _up),
        migrations.CreateModel(
            name='SupervisionOrder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('supervise', 'Supervision'), ('listed', 'Listed supervision')], max_length=12, verbose_name='kind')),
                ('year', models.PositiveIntegerField(verbose_name='year')),
                ('number', models.PositiveIntegerField(verbose_name='number')),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued at')),
                ('requirement', models.TextField(blank=True, verbose_name='requirement')),
                ('deadline', models.DateField(blank=True, null=True, verbose_name='deadline')),
            ],
            options={
                'verbose_name': 'supervision order',
                'verbose_name_plural': 'supervision orders',
                'ordering': ['matter', 'issued_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SupervisionOrderSequence',
            fields=[
                ('year', models.PositiveIntegerField(primary_key=True, serialize=False, verbose_name='year')),
                ('last', models.PositiveIntegerField(default=0, verbose_name='last number')),
            ],
            options={
                'verbose_name': 'supervision order sequence',
                'verbose_name_plural': 'supervision order sequences',
            },
        ),
        migrations.AddField(
            model_name='matter',
            name='last_progress_on',
            field=models.DateField(blank=True, null=True, verbose_name='last progress on'),
        ),
        migrations.AddField(
            model_name='matter',
            name='listed_deadline',
            field=models.DateField(blank=True, null=True, verbose_name='listed supervision deadline'),
        ),
        migrations.AddField(
            model_name='matter',
            name='listed_leader',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='supervising leader'),
        ),
        migrations.AddField(
            model_name='matternotice',
            name='issued_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by'),
        ),
        migrations.AddField(
            model_name='matternotice',
            name='note',
            field=models.TextField(blank=True, db_default='', default='', verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='matterevent',
            name='action',
            field=models.CharField(choices=[('assign', 'assign'), ('reassign', 'reassign'), ('accept', 'accept'), ('return', 'return'), ('progress', 'progress'), ('request_extension', 'request_extension'), ('answer_extension', 'answer_extension'), ('report', 'report'), ('approve', 'approve'), ('reject', 'reject'), ('rate', 'rate'), ('reopen', 'reopen'), ('cancel', 'cancel'), ('list', 'list'), ('unlist', 'unlist'), ('urge', 'urge'), ('supervise', 'supervise'), ('create', 'create'), ('recompute', 'recompute')], max_length=20, verbose_name='action'),
        ),
        migrations.AddIndex(
            model_name='matter',
            index=models.Index(condition=models.Q(('state', 'accepted')), fields=['last_progress_on', 'updated_at', 'lead_unit', 'id'], name='matter_progress_stale'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='matters.matterevent', verbose_name='event'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='issued_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='lead_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.orgunit', verbose_name='lead unit'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='leader',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='supervising leader'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='matter',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supervision_orders', to='matters.matter', verbose_name='matter'),
        ),
        migrations.AddConstraint(
            model_name='supervisionorder',
            constraint=models.UniqueConstraint(fields=('year', 'number'), name='supervision_order_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='supervisionorder',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['supervise', 'listed'])), name='supervision_order_kind_valid'),
        ),
        migrations.RunPython(_up, _down),
    ]
