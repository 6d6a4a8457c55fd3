"""Writes of talent records (人才档案)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.talents.models import Talent

# ---- recognition (helper "recognition"): the tier a recognition decision grants ----------------


@transaction.atomic
def talent_set_tier(*, acting_user: User, talent: Talent, tier: str, valid_until: dt.date, reason: str) -> Talent:
    """Set the talent's tier and its valid-until date: the only writer of ``Talent.tier``,
    called by a recognition decision (认定) inside its transaction, which has judged who may
    decide. Locks the record, bumps its version, audits "talent.set_tier" with ``reason`` (the
    certificate number) as the detail. Returns the changed record."""
    current = Talent.objects.select_for_update().get(pk=talent.pk)
    before = snapshot(current, ["tier", "tier_valid_until", "version"])
    current.tier = tier
    current.tier_valid_until = valid_until
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["tier", "tier_valid_until", "version", "updated_at"])
    old, new = diff(before, snapshot(current, ["tier", "tier_valid_until", "version"]))
    audit_write(action="talent.set_tier", user=acting_user, obj=current, before=old, after=new, detail=reason)
    return current
