"""Stored policy verdicts (政策匹配): the ``eligible`` and ``possible`` verdict of every
enterprise × in-force policy, computed by ``zhaoyin.lib.eligibility`` (DESIGN 5.1) and kept so
the 免申即享 list of a policy is one indexed read at province scale.

The model moved here from the policies app; its table keeps the name ``policies_policymatch``
(``Meta.db_table``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoyin.enterprises.models import Enterprise
from zhaoyin.policies.models import Policy


class MatchVerdict(models.TextChoices):
    """The engine's verdict for an enterprise × policy (DESIGN 5.1)."""

    ELIGIBLE = "eligible", _("Eligible")
    POSSIBLE = "possible", _("Possibly eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


class PolicyMatch(models.Model):
    """A stored verdict of an enterprise × policy, kept for ``eligible`` and ``possible`` only.

    Rows are derived data: ``matching.verdicts`` rewrites an enterprise's rows when its profile,
    figures or qualifications change and a policy's rows when the policy changes; the full
    refresh (`zhaoyin match`) rebuilds all. The reasons are not stored: they are explained
    again when a page shows them (one enterprise × its policies takes milliseconds).
    """

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="matches")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="policy_matches"
    )
    verdict = models.CharField(_("verdict"), max_length=12, choices=MatchVerdict.choices)

    class Meta:
        # The table kept its name when the verdicts left the policies app (state-only move).
        db_table = "policies_policymatch"
        verbose_name = _("policy match")
        verbose_name_plural = _("policy matches")
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="policy_match_unique"),
        ]
        indexes = [
            models.Index(fields=["policy", "verdict", "enterprise"], name="policy_match_verdict"),
            models.Index(fields=["enterprise", "verdict"], name="policy_match_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.enterprise_id}: {self.verdict}"


class TalentPolicyMatch(models.Model):
    """A stored verdict of a talent × in-force talent policy (人才政策匹配), kept for
    ``eligible`` and ``possible`` only, like ``PolicyMatch`` for enterprises.

    Derived data: ``matching.talent_verdicts`` rewrites a talent's rows when the talent
    changes (``talents.signals.talents_changed``), a policy's rows when the policy changes, and
    all rows nightly and on ``zhaoyin match`` (ages and years since arrival move with the date).
    The reasons are explained again on request.
    """

    # The table is a cache that each refresh rebuilds, and a first full refresh writes ~700 000
    # rows at province scale (issue 13 benchmark), so it carries only what its reads need:
    # - no single-column indexes on the two keys: the unique (talent, policy) index serves a
    #   talent's rows and the (policy, verdict, talent) index a policy's (five indexes took
    #   the bare insert from 1.2 s to 4.3 s, two to 2.5 s);
    # - no foreign-key constraints in the database (``db_constraint=False``): PostgreSQL
    #   checks each key of each row with a row lock on the parent, two thirds of a first
    #   refresh there (8.9 s against 2.9 s without). The keys still hold: a talent or policy
    #   is deleted through the ORM, whose cascade removes its rows; a full refresh deletes
    #   every row whose talent or policy is gone (``refresh_all_talents``).
    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="talent_matches",
        db_index=False,
        db_constraint=False,
    )
    talent = models.ForeignKey(
        "talents.Talent",
        verbose_name=_("talent"),
        on_delete=models.CASCADE,
        related_name="policy_matches",
        db_index=False,
        db_constraint=False,
    )
    verdict = models.CharField(_("verdict"), max_length=12, choices=MatchVerdict.choices)

    class Meta:
        verbose_name = _("talent policy match")
        verbose_name_plural = _("talent policy matches")
        constraints = [
            models.UniqueConstraint(fields=["talent", "policy"], name="talent_policy_match_unique"),
        ]
        indexes = [
            models.Index(fields=["policy", "verdict", "talent"], name="talent_match_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.talent_id}: {self.verdict}"
