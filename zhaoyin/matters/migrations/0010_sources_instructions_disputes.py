# Issue 15: the leader a leader's instruction names, the dispatcher's assessment of internal
# tasks, the leaders' instructions (批示) and the state ``disputed`` (a 不满意 rating being
# verified). SQLite rebuilds the matter table for the new column with a default and the changed
# constraints, which drops the tally triggers and the search index's triggers: they are taken
# down before and put back (and refilled) after, as zhaoyin.matters.tally asks of every
# migration altering the table.

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
        ('matters', '0009_supervision_powers'),
        ('projects', '0002_milestones_alerts_and_fund_rollup'),
        ('talents', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_down, _up),
        migrations.CreateModel(
            name='MatterInstruction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='instruction')),
                ('instructed_on', models.DateField(verbose_name='instructed on')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
            ],
            options={
                'verbose_name': "leader's instruction",
                'verbose_name_plural': "leaders' instructions",
                'ordering': ['matter', 'instructed_on', 'id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='matter',
            name='matter_state_valid',
        ),
        migrations.AddField(
            model_name='matter',
            name='assessment',
            field=models.CharField(blank=True, choices=[('satisfied', 'Satisfied'), ('basically_satisfied', 'Basically satisfied'), ('dissatisfied', 'Dissatisfied')], max_length=20, verbose_name='assessment'),
        ),
        migrations.AddField(
            model_name='matter',
            name='instructing_leader',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='instructing leader'),
        ),
        migrations.AlterField(
            model_name='matter',
            name='state',
            field=models.CharField(choices=[('draft', 'Registered'), ('assigned', 'Assigned'), ('accepted', 'In progress'), ('reported', 'Reported'), ('closed', 'Closed'), ('rated', 'Rated'), ('returned', 'Returned'), ('cancelled', 'Cancelled'), ('disputed', 'Dissatisfaction to verify')], default='draft', max_length=12, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='matterevent',
            name='action',
            field=models.CharField(choices=[('assign', 'assign'), ('reassign', 'reassign'), ('accept', 'accept'), ('return', 'return'), ('progress', 'progress'), ('request_extension', 'request_extension'), ('answer_extension', 'answer_extension'), ('report', 'report'), ('approve', 'approve'), ('reject', 'reject'), ('rate', 'rate'), ('reopen', 'reopen'), ('cancel', 'cancel'), ('list', 'list'), ('unlist', 'unlist'), ('instruct', 'instruct'), ('dispute', 'dispute'), ('confirm_dispute', 'confirm_dispute'), ('dismiss_dispute', 'dismiss_dispute'), ('create', 'create'), ('recompute', 'recompute')], max_length=20, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='matterevent',
            name='from_state',
            field=models.CharField(blank=True, choices=[('draft', 'Registered'), ('assigned', 'Assigned'), ('accepted', 'In progress'), ('reported', 'Reported'), ('closed', 'Closed'), ('rated', 'Rated'), ('returned', 'Returned'), ('cancelled', 'Cancelled'), ('disputed', 'Dissatisfaction to verify')], max_length=12, verbose_name='from'),
        ),
        migrations.AlterField(
            model_name='matterevent',
            name='to_state',
            field=models.CharField(choices=[('draft', 'Registered'), ('assigned', 'Assigned'), ('accepted', 'In progress'), ('reported', 'Reported'), ('closed', 'Closed'), ('rated', 'Rated'), ('returned', 'Returned'), ('cancelled', 'Cancelled'), ('disputed', 'Dissatisfaction to verify')], max_length=12, verbose_name='to'),
        ),
        migrations.AddConstraint(
            model_name='matter',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'assigned', 'accepted', 'reported', 'closed', 'rated', 'returned', 'cancelled', 'disputed'])), name='matter_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='matter',
            constraint=models.CheckConstraint(condition=models.Q(('assessment', ''), ('assessment__in', ['satisfied', 'basically_satisfied', 'dissatisfied']), _connector='OR'), name='matter_assessment_valid'),
        ),
        migrations.AddField(
            model_name='matterinstruction',
            name='event',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='matters.matterevent', verbose_name='event'),
        ),
        migrations.AddField(
            model_name='matterinstruction',
            name='leader',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='leader'),
        ),
        migrations.AddField(
            model_name='matterinstruction',
            name='matter',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='instructions', to='matters.matter', verbose_name='matter'),
        ),
        migrations.AddField(
            model_name='matterinstruction',
            name='recorded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AddIndex(
            model_name='matterinstruction',
            index=models.Index(fields=['instructed_on', 'matter'], name='matter_instruction_day'),
        ),
        migrations.RunPython(_up, _down),
    ]
