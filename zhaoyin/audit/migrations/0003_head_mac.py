"""The chain head's record count and MAC (issue 12 D2).

An existing head is counted and signed as it stands: run ``zhaoyin audit verify`` before
upgrading to be sure the state being signed is intact.
"""

from django.db import migrations, models


def sign_existing_head(apps, schema_editor):
    from zhaoyin.audit.services import head_mac

    head_model = apps.get_model("audit", "AuditChainHead")
    record_model = apps.get_model("audit", "AuditRecord")
    head = head_model.objects.filter(id=1).first()
    if head is None or not head.last_id:
        return
    head.count = record_model.objects.filter(id__lte=head.last_id).count()
    head.mac = head_mac(head.count, head.last_id, head.last_hash)
    head.save(update_fields=["count", "mac"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="count",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(sign_existing_head, migrations.RunPython.noop),
    ]
