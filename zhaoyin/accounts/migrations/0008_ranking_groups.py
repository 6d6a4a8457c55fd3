"""Ranking groups (issue 15 item 2) and the default groups made from the existing units by kind."""

import django.db.models.deletion
from django.db import migrations, models


#: The default groups (code, name, order, kind of unit): every install ranks as before the
#: groups existed — counties among counties, parks among parks, departments among departments,
#: every park counting in its county — until the city admin changes them.
DEFAULT_GROUPS = (
    ("counties", "县区", 10, "county"),
    ("parks", "开发区/园区", 20, "park"),
    ("departments", "市直部门", 30, "department"),
)


def create_default_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    RankingGroup = apps.get_model("accounts", "RankingGroup")
    RankingGroupMember = apps.get_model("accounts", "RankingGroupMember")
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    for code, name, order, kind in DEFAULT_GROUPS:
        group, _created = RankingGroup.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        for unit in OrgUnit.objects.filter(kind=kind, is_active=True, ranking_membership__isnull=True):
            RankingGroupMember.objects.create(group=group, org_unit=unit, rolls_up=True)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alter_roleassignment_role'),
    ]

    operations = [
        migrations.CreateModel(
            name='RankingGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=50, verbose_name='name')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('min_matters', models.PositiveSmallIntegerField(default=1, verbose_name='minimum matters for a rank')),
            ],
            options={
                'verbose_name': 'ranking group',
                'verbose_name_plural': 'ranking groups',
                'ordering': ['order', 'code'],
            },
        ),
        migrations.CreateModel(
            name='RankingGroupMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rolls_up', models.BooleanField(default=True, verbose_name='counts in its parent unit')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='accounts.rankinggroup', verbose_name='ranking group')),
                ('org_unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='ranking_membership', to='accounts.orgunit', verbose_name='org unit')),
            ],
            options={
                'verbose_name': 'ranking group member',
                'verbose_name_plural': 'ranking group members',
                'ordering': ['group', 'org_unit__sort_order', 'org_unit__path'],
            },
        ),
        migrations.RunPython(create_default_groups, migrations.RunPython.noop),
    ]
