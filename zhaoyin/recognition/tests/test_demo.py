"""The demo's recognition part, run on its own (no talents loaded before it): the rule sets in
versions, recognitions in every state, most talents holding the tier of their latest decision,
the demo talent's own application visible in the portal, and a second run adding nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.demo.recognition_demo import recognition_ensure
from zhaoyin.demo.services import LoadResult, org_tree_ensure
from zhaoyin.recognition.flow import STATES
from zhaoyin.recognition.models import Recognition, RecognitionObjection, TierRuleSet
from zhaoyin.talents.models import Talent

pytestmark = pytest.mark.django_db


def test_the_recognition_demo_stands_alone_and_is_idempotent() -> None:
    year = timezone.localdate().year
    org_tree_ensure()
    result = LoadResult()
    recognition_ensure(year=year, result=result)
    assert result.created["recognitions"] == Recognition.objects.count()
    # The standard in versions: last year's active; this year's v1 retired by v2.
    assert TierRuleSet.objects.get(year=year - 1).status == "active"
    assert list(TierRuleSet.objects.filter(year=year).order_by("number").values_list("status", flat=True)) == [
        "retired", "active"]
    # Every state of the machine is shown.
    states = Counter(Recognition.objects.values_list("state", flat=True))
    assert set(states) == {code for code, _label in STATES}
    assert RecognitionObjection.objects.filter(answered_at__isnull=True).exists()
    assert RecognitionObjection.objects.filter(answered_at__isnull=False).exists()
    # Most talents hold a tier, the one of their latest recognized application, and every tier A–E occurs.
    talents = list(Talent.objects.all())
    tiered = [t for t in talents if t.tier]
    assert len(tiered) > len(talents) / 2
    assert {t.tier for t in tiered} == {"A", "B", "C", "D", "E"}
    for talent in tiered:
        latest = talent.recognitions.filter(state="recognized").order_by("-decided_on", "-pk").first()
        assert latest is not None
        assert (talent.tier, talent.tier_valid_until) == (latest.tier, latest.valid_until)
    numbers = list(Recognition.objects.exclude(certificate_no=None).values_list("certificate_no", flat=True))
    assert len(numbers) == len(set(numbers))
    again = LoadResult()
    recognition_ensure(year=year, result=again)
    assert again.total == 0


def test_the_demo_talent_follows_their_own_application_in_the_portal(load_demo: Any) -> None:
    # The whole demo, replayed after the run's one real load (its portal account is the
    # accounts demo's); then the recognition part again, which finds everything in place.
    load_demo(timezone.localdate().year)
    recognition_ensure(year=timezone.localdate().year, result=LoadResult())
    portal = User.objects.get(username="demo_talent")
    own = Recognition.objects.get(talent__account=portal)
    assert own.state == "publicity"
    client = Client()
    client.force_login(portal, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    page = client.get(f"/recognition/mine/{own.pk}/").content.decode()
    assert 'id="my-deadline"' in page
    assert own.publicity_end is not None
    end = own.publicity_end
    assert f"{end.year}年{end.month}月{end.day}日" in page  # DATE_FORMAT (issue 16)
