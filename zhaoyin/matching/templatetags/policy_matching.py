"""Template tags of policy matching: the enterprise profile's "eligible policies" panel and
the cards of the policies judged for one enterprise.

The cards are built in Python (every value escaped) rather than an included template: an
enterprise's page shows ~200 policies × ~5 conditions, and the template engine took
≈ 100 ms for them (format_html per card ≈ 60 ms) where this takes a few.
"""

from __future__ import annotations

from html import escape  # the stdlib's: django.utils.html.escape's lazy wrapper cost ≈ 5 ms a page

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matching.selectors import PolicyMatchView, top_eligible_policies
from zhaoyin.policies.models import Delivery, Policy, PolicyCategory, PolicyLevel

register = template.Library()

#: result → (icon, text colour class)
_RESULT_STYLE = {
    "met": ("bi-check-circle-fill text-success", "text-success"),
    "unmet": ("bi-x-circle-fill text-danger", "text-danger"),
    "unknown": ("bi-question-circle-fill text-warning", "text-warning-emphasis"),
}


@register.simple_tag
def eligible_policies(enterprise: Enterprise, limit: int = 5) -> list[Policy]:
    """The first in-force policies stored as eligible for an enterprise the view has already
    fetched through its scoped selector (one query)."""
    return top_eligible_policies(enterprise, limit)


def _policy_url_pattern() -> str:
    """The policy detail URL with ``{pk}`` in place of the id ('' while the route is absent):
    reversed once per page, not once per card."""
    try:
        return reverse("policies:detail", kwargs={"pk": 987654321}).replace("987654321", "{pk}")
    except NoReverseMatch:
        return ""


@register.simple_tag
def match_cards(items: list[PolicyMatchView], link: bool = True) -> SafeString:
    """Cards of policies judged for one enterprise (or talent): title and badges, benefits, the
    data missing (possible verdicts), and every condition with an icon, a colour and the reason.
    Every value is escaped; the fixed texts are translated once for all the cards. ``link``:
    titles open the policy's page (not for a talent portal user, who has no library pages)."""
    url_pattern = _policy_url_pattern() if link else ""
    text = {
        "no_application": escape(_("No application needed")),
        "quick_application": escape(_("Quick application")),
        "missing": escape(_("Data missing:")),
        "benefits": escape(_("Benefits")),
        "met": escape(_("met")),
        "unmet": escape(_("not met")),
        "unknown": escape(_("unknown")),
    }
    # Labels from dicts built once (get_FOO_display rebuilds the choices on every call).
    levels = {k: escape(str(v)) for k, v in PolicyLevel.choices}
    categories = {k: escape(str(v)) for k, v in PolicyCategory.choices}
    out: list[str] = []
    for m in items:
        policy = m.policy
        title: str = escape(policy.title)
        if url_pattern:
            title = f'<a href="{escape(url_pattern.format(pk=policy.pk))}">{title}</a>'
        badges = ""
        if policy.delivery == Delivery.NO_APPLICATION:
            badges = f'<span class="badge text-bg-success ms-1">{text["no_application"]}</span>'
        elif policy.delivery == Delivery.QUICK_APPLICATION:
            badges = f'<span class="badge text-bg-info ms-1">{text["quick_application"]}</span>'
        level = levels.get(policy.level, escape(policy.level))
        category = categories.get(policy.category, escape(policy.category))
        badges += (
            f'<span class="badge text-bg-light border ms-1">{level}</span>'
            f'<span class="badge text-bg-light border ms-1">{category}</span>'
        )
        source = escape(policy.issuer + (" · " + policy.doc_no if policy.doc_no else ""))
        amount = ""
        if policy.max_amount_wan is not None:
            shown = escape(_("up to %(amount)s (10k yuan)") % {"amount": policy.max_amount_wan})
            amount = f' <span class="text-body-secondary">({shown})</span>'
        missing = ""
        if m.verdict == "possible" and m.missing:
            missing = (
                '<div class="alert alert-warning py-1 px-2 small mb-2"><i class="bi bi-question-circle" '
                f'aria-hidden="true"></i> {text["missing"]} {escape("；".join(m.missing))}</div>'
            )
        conditions = "".join(
            f'<li class="zy-condition zy-condition-{c.result}" data-result="{c.result}">'
            f'<i class="bi {_RESULT_STYLE[c.result][0]}" aria-hidden="true"></i>'
            f'<span class="visually-hidden">{text[c.result]}</span> '
            f'<span class="{_RESULT_STYLE[c.result][1]}">{escape(c.reason)}</span>'
            + (f' <span class="text-body-secondary">（{escape(c.label)}）</span>' if c.label != c.reason else "")
            + "</li>"
            for c in m.conditions
        )
        out.append(
            f'<article class="card mb-2 zy-policy-match" id="policy-{policy.pk}" data-verdict="{escape(m.verdict)}">'
            f'<div class="card-body py-2"><h3 class="h6 mb-1">{title}{badges}</h3>'
            f'<p class="small text-body-secondary mb-1">{source}</p>'
            f'<div class="mb-2"><strong>{text["benefits"]}:</strong> '
            f"{linebreaks(policy.benefits, autoescape=True)}{amount}</div>{missing}"
            f'<ul class="list-unstyled mb-0 small zy-conditions">{conditions}</ul></div></article>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
