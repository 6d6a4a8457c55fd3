"""``zhaoyin match [--policy ID | --enterprise ID ... | --talent ID ...]``: rebuild the stored
policy verdicts (DESIGN 5.2). Without options every enterprise × every in-force enterprise
policy and every talent × every in-force talent policy (issue 13); prints the counts and the
seconds taken. Exit 2 with a one-line reason on stderr for bad input."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.core import context
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matching.talent_verdicts import (
    refresh_all_talents,
    refresh_talent_matches,
    refresh_talent_policy_matches,
)
from zhaoyin.matching.verdicts import refresh_all, refresh_enterprise_matches, refresh_policy_matches
from zhaoyin.policies.models import Beneficiary, Policy
from zhaoyin.talents.models import Talent


def _positive_id(option: str, text: str) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**63):
        raise CommandError(f"{option}: {text!r} is not an id (a positive whole number)", returncode=2)
    return int(value)


class Command(BaseCommand):
    help = (
        "Rebuild the stored policy matches (eligible / possible) of all or some enterprises or talents, "
        "or of one policy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--policy", help="re-match one policy against every enterprise")
        group.add_argument("--enterprise", action="append", help="re-match this enterprise (repeatable)")
        group.add_argument("--talent", action="append", help="re-match this talent (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with context.acting(channel="cli"):
            if options.get("policy"):
                pk = _positive_id("--policy", options["policy"])
                policy = Policy.objects.filter(pk=pk).first()
                if policy is None:
                    raise CommandError(f"--policy: no policy with id {pk}", returncode=2)
                if policy.beneficiary == Beneficiary.TALENT:
                    rows = refresh_talent_policy_matches(policy)
                    refresh_policy_matches(policy)  # removes any enterprise rows it had
                else:
                    rows = refresh_policy_matches(policy)
                    refresh_talent_policy_matches(policy)
                summary = f"policy {pk}: {rows} matches stored"
            elif options.get("enterprise"):
                ids = sorted({_positive_id("--enterprise", text) for text in options["enterprise"]})
                found = set(Enterprise.objects.filter(pk__in=ids).values_list("pk", flat=True))
                unknown = [str(pk) for pk in ids if pk not in found]
                if unknown:
                    raise CommandError(f"--enterprise: no enterprise with id {', '.join(unknown)}", returncode=2)
                rows = refresh_enterprise_matches(ids)
                summary = f"{len(ids)} enterprises: {rows} matches stored"
            elif options.get("talent"):
                ids = sorted({_positive_id("--talent", text) for text in options["talent"]})
                found = set(Talent.objects.filter(pk__in=ids).values_list("pk", flat=True))
                unknown = [str(pk) for pk in ids if pk not in found]
                if unknown:
                    raise CommandError(f"--talent: no talent with id {', '.join(unknown)}", returncode=2)
                rows = refresh_talent_matches(ids)
                summary = f"{len(ids)} talents: {rows} matches stored"
            else:
                stats = refresh_all()
                people = refresh_all_talents()
                self.stdout.write(
                    f"{people.talents} talents × {people.policies} talent policies: {people.rows} matches stored"
                )
                summary = f"{stats.enterprises} enterprises × {stats.policies} policies: {stats.rows} matches stored"
        self.stdout.write(f"{summary} in {time.perf_counter() - started:.1f} s")
