"""The two rules that are data: the waitlist order (tier A first … E, then no tier; then the
time of application) and the rent reduction per tier (docs/talent.md, "Talent apartments")."""

from decimal import Decimal

from django.db import migrations

REDUCTIONS = {"A": "100", "B": "80", "C": "60", "D": "50", "E": "30", "": "0"}


def seed(apps, schema_editor):
    WaitlistRule = apps.get_model("apartments", "WaitlistRule")
    RentReduction = apps.get_model("apartments", "RentReduction")
    if not WaitlistRule.objects.filter(active=True).exists():
        WaitlistRule.objects.create(name="按人才层次和申请时间", tier_order="ABCDE", active=True)
    for tier, percent in REDUCTIONS.items():
        RentReduction.objects.get_or_create(tier=tier, defaults={"percent": Decimal(percent)})


def unseed(apps, schema_editor):
    apps.get_model("apartments", "WaitlistRule").objects.all().delete()
    apps.get_model("apartments", "RentReduction").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("apartments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
