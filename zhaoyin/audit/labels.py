"""The audit log in words (issue 16 item 3): actions, objects, actors, channels, roles, units.

The log stores codes (``auth.login``, ``accounts.user`` #11, ``dept-zsfw``, ``cli``) and keeps
them: they are what the hash chain covers, what the export and the API carry and what a search
matches. The pages show words instead, put together here:

- an action ``<noun>.<verb>[_denied]`` reads "<noun>：<verb>" (and "（被拒绝）" for a refusal).
  The noun is the longest prefix of the code in ``NOUNS``; the verb is the row label of the
  state machine the noun names (``TABLE_OF``, read from ``core.transitions.TABLES``, so a
  machine's action reads in the log as on its button), else the word in ``VERBS``; a few codes
  that read better whole are in ``WHOLE``. ``tests/test_audit_labels.py`` checks that every
  code the source writes has its words.
- an object type is the model's verbose name (``OBJECT_TYPES`` for the few that are no model
  label); the object itself is its stored text, never ``#id``.
- an actor is the username, or 系统 / 命令行 / 后台任务 for the log's own names (未登录访客 for
  nobody signed in on the web or the API).
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.utils.translation import gettext, pgettext_lazy

from zhaoyin.core.transitions import TABLES

# The words below carry their own catalogue context ("audit log"): a noun or verb here is
# translated for the log and not shared with a page's word spelled alike ("Notice", "run").


#: The first part(s) of an action code: what was acted on.
NOUNS: dict[str, Any] = {
    "apartment": pgettext_lazy("audit log", "Talent apartment"),
    "apartment_application": pgettext_lazy("audit log", "Apartment application"),
    "apartment_unit": pgettext_lazy("audit log", "Apartment unit"),
    "api": pgettext_lazy("audit log", "API"),
    "audit": pgettext_lazy("audit log", "Audit log"),
    "auth": pgettext_lazy("audit log", "Sign-in"),
    "bulk": pgettext_lazy("audit log", "Bulk write"),
    "calendar": pgettext_lazy("audit log", "Working-day calendar"),
    "catalog": pgettext_lazy("audit log", "Project catalog"),
    "catalog_item": pgettext_lazy("audit log", "Catalog project"),
    "cockpit": pgettext_lazy("audit log", "Cockpit"),
    "conc": pgettext_lazy("audit log", "Concurrent write"),
    "demo": pgettext_lazy("audit log", "Demo data"),
    "drill": pgettext_lazy("audit log", "Recovery drill"),
    "enterprise": pgettext_lazy("audit log", "Enterprise"),
    "fund_entry": pgettext_lazy("audit log", "Funds in place"),
    "http": pgettext_lazy("audit log", "Page access"),
    "industry": pgettext_lazy("audit log", "Industry"),
    "matter": pgettext_lazy("audit log", "Matter"),
    "matter.file": pgettext_lazy("audit log", "Matter attachment"),
    "matter.supervision_order": pgettext_lazy("audit log", "Supervision order"),
    "matters.bulletin": pgettext_lazy("audit log", "Matters bulletin"),
    "mu_adjustment": pgettext_lazy("audit log", "Land-efficiency adjustment"),
    "mu_condition": pgettext_lazy("audit log", "Agreement condition"),
    "mu_input": pgettext_lazy("audit log", "Land-efficiency figures"),
    "mu_run": pgettext_lazy("audit log", "Land-efficiency evaluation"),
    "mu_scheme": pgettext_lazy("audit log", "Evaluation scheme"),
    "mujun": pgettext_lazy("audit log", "Land-efficiency evaluation"),
    "notification": pgettext_lazy("audit log", "Notice"),
    "org_unit": pgettext_lazy("audit log", "Org unit"),
    "payout": pgettext_lazy("audit log", "Policy payout"),
    "policy": pgettext_lazy("audit log", "Policy"),
    "policy.file": pgettext_lazy("audit log", "Policy attachment"),
    "policy_list": pgettext_lazy("audit log", "Tailored policy list"),
    "programme": pgettext_lazy("audit log", "Talent programme"),
    "project": pgettext_lazy("audit log", "Investment project"),
    "project.evidence": pgettext_lazy("audit log", "Project evidence"),
    "project.funds": pgettext_lazy("audit log", "Funds in place"),
    "project.funds.evidence": pgettext_lazy("audit log", "Proof of funds"),
    "project.stage": pgettext_lazy("audit log", "Project stage"),
    "project_funds": pgettext_lazy("audit log", "Funds in place"),
    "qualification": pgettext_lazy("audit log", "Qualification"),
    "ranking_group": pgettext_lazy("audit log", "Ranking group"),
    "recognition": pgettext_lazy("audit log", "Talent recognition"),
    "service_group": pgettext_lazy("audit log", "Service group"),
    "service_group_assignment": pgettext_lazy("audit log", "Service group assignment"),
    "service_group_membership": pgettext_lazy("audit log", "Service group members"),
    "subsidy_application": pgettext_lazy("audit log", "Subsidy application"),
    "talent": pgettext_lazy("audit log", "Talent"),
    "talent_lead": pgettext_lazy("audit log", "Talent lead"),
    "talent_project": pgettext_lazy("audit log", "Talent project"),
    "talent_station": pgettext_lazy("audit log", "Talent station"),
    "target": pgettext_lazy("audit log", "Target"),
    "targets": pgettext_lazy("audit log", "Target"),
    "targets.bulletin": pgettext_lazy("audit log", "Targets bulletin"),
    "targets.progress": pgettext_lazy("audit log", "Target progress"),
    "tenancy": pgettext_lazy("audit log", "Apartment tenancy"),
    "tier_rule_set": pgettext_lazy("audit log", "Recognition standard"),
    "user": pgettext_lazy("audit log", "User"),
    "visit": pgettext_lazy("audit log", "Visit"),
    "visit.file": pgettext_lazy("audit log", "Visit attachment"),
}

#: The state machine whose row labels name a noun's verbs (``TransitionTable.name``).
TABLE_OF: dict[str, tuple[str, ...]] = {
    "apartment": ("apartment_application", "apartment_tenancy"),
    "catalog": ("catalog_edition",),
    "matter": ("matter",),
    "mu_run": ("mujun_run",),
    "payout": ("payout", "talent_payout"),
    "policy": ("policy",),
    "project.funds": ("fund_entry",),
    "project.stage": ("project_stage",),
    "recognition": ("recognition",),
    "subsidy_application": ("subsidy_application",),
    "talent_project": ("talent_project",),
}

#: The verbs that are no machine's row: what was done to the noun.
VERBS: dict[str, Any] = {
    "activate": pgettext_lazy("audit log", "activate"),
    "add": pgettext_lazy("audit log", "add"),
    "after_backup": pgettext_lazy("audit log", "after backup"),
    "allocate": pgettext_lazy("audit log", "allocate"),
    "answer": pgettext_lazy("audit log", "answer"),
    "apply": pgettext_lazy("audit log", "apply"),
    "approvers_set": pgettext_lazy("audit log", "set approvers"),
    "arrived": pgettext_lazy("audit log", "arrived"),
    "assign_group": pgettext_lazy("audit log", "assign service group"),
    "assignments_export": pgettext_lazy("audit log", "export assignments"),
    "building_create": pgettext_lazy("audit log", "add building"),
    "building_update": pgettext_lazy("audit log", "change building"),
    "change": pgettext_lazy("audit log", "change"),
    "close": pgettext_lazy("audit log", "close"),
    "contract_sign": pgettext_lazy("audit log", "sign contract"),
    "copy": pgettext_lazy("audit log", "copy"),
    "create": pgettext_lazy("audit log", "create"),
    "delete": pgettext_lazy("audit log", "delete"),
    "denied": pgettext_lazy("audit log", "refused"),
    "depart": pgettext_lazy("audit log", "departed"),
    "download": pgettext_lazy("audit log", "download"),
    "drill_export": pgettext_lazy("audit log", "export the records behind a figure"),
    "edition_create": pgettext_lazy("audit log", "create edition"),
    "edition_items": pgettext_lazy("audit log", "choose edition items"),
    "edition_publish": pgettext_lazy("audit log", "publish edition"),
    "edition_withdraw": pgettext_lazy("audit log", "withdraw edition"),
    "eligible_export": pgettext_lazy("audit log", "export eligible enterprises"),
    "event": pgettext_lazy("audit log", "event"),
    "exception_add": pgettext_lazy("audit log", "add exception"),
    "exception_remove": pgettext_lazy("audit log", "remove exception"),
    "export": pgettext_lazy("audit log", "export"),
    "figures": pgettext_lazy("audit log", "yearly figures"),
    "file_download": pgettext_lazy("audit log", "download attachment"),
    "files_add": pgettext_lazy("audit log", "add attachments"),
    "freeze": pgettext_lazy("audit log", "freeze"),
    "fund_entry": pgettext_lazy("audit log", "record disbursement"),
    "grades_replace": pgettext_lazy("audit log", "publish grades"),
    "import": pgettext_lazy("audit log", "import"),
    "import_commit": pgettext_lazy("audit log", "import"),
    "import_preview": pgettext_lazy("audit log", "import preview"),
    "item_create": pgettext_lazy("audit log", "create item"),
    "item_update": pgettext_lazy("audit log", "change item"),
    "leader_clear": pgettext_lazy("audit log", "remove leader"),
    "leader_set": pgettext_lazy("audit log", "set leader"),
    "link_account": pgettext_lazy("audit log", "link account"),
    "load": pgettext_lazy("audit log", "load"),
    "lockout": pgettext_lazy("audit log", "account locked"),
    "login": pgettext_lazy("audit log", "sign in"),
    "logout": pgettext_lazy("audit log", "sign out"),
    "low_efficiency_export": pgettext_lazy("audit log", "export low-efficiency land"),
    "matter": pgettext_lazy("audit log", "rectification matter"),
    "member_add": pgettext_lazy("audit log", "add member"),
    "member_remove": pgettext_lazy("audit log", "remove member"),
    "members_export": pgettext_lazy("audit log", "export members"),
    "notice_import": pgettext_lazy("audit log", "import notice"),
    "notice_urge": pgettext_lazy("audit log", "urge notice"),
    "objection_file_download": pgettext_lazy("audit log", "download objection attachment"),
    "official_year_mark": pgettext_lazy("audit log", "mark year official"),
    "password_change": pgettext_lazy("audit log", "change password"),
    "password_reset": pgettext_lazy("audit log", "reset password"),
    "programme_create": pgettext_lazy("audit log", "create programme"),
    "programme_update": pgettext_lazy("audit log", "change programme"),
    "publicity_export": pgettext_lazy("audit log", "export public notice"),
    "query": pgettext_lazy("audit log", "search"),
    "read": pgettext_lazy("audit log", "read"),
    "read_all": pgettext_lazy("audit log", "mark all read"),
    "recompute": pgettext_lazy("audit log", "recompute"),
    "rectifications": pgettext_lazy("audit log", "rectification matters"),
    "register": pgettext_lazy("audit log", "register"),
    "remove": pgettext_lazy("audit log", "remove"),
    "report": pgettext_lazy("audit log", "report"),
    "retire": pgettext_lazy("audit log", "retire"),
    "reveal": pgettext_lazy("audit log", "reveal personal data"),
    "roles": pgettext_lazy("audit log", "change roles"),
    "round_create": pgettext_lazy("audit log", "create round"),
    "round_update": pgettext_lazy("audit log", "change round"),
    "run": pgettext_lazy("audit log", "run"),
    "save": pgettext_lazy("audit log", "save"),
    "schedule": pgettext_lazy("audit log", "start schedule"),
    "schedule_set": pgettext_lazy("audit log", "set schedule"),
    "session_end": pgettext_lazy("audit log", "session ended"),
    "sessions_end": pgettext_lazy("audit log", "end sessions"),
    "set": pgettext_lazy("audit log", "set"),
    "set_tier": pgettext_lazy("audit log", "set tier"),
    "token_issue": pgettext_lazy("audit log", "issue API token"),
    "token_revoke": pgettext_lazy("audit log", "revoke API token"),
    "totals_export": pgettext_lazy("audit log", "export totals"),
    "totp_reset": pgettext_lazy("audit log", "issue new second factor"),
    "unit_create": pgettext_lazy("audit log", "add flat"),
    "unit_maintenance": pgettext_lazy("audit log", "flat maintenance"),
    "unit_update": pgettext_lazy("audit log", "change flat"),
    "unlock": pgettext_lazy("audit log", "unlock"),
    "update": pgettext_lazy("audit log", "change"),
    "urge": pgettext_lazy("audit log", "urge"),
    "view": pgettext_lazy("audit log", "view"),
    "write": pgettext_lazy("audit log", "write"),
}

#: Codes that read better as a whole than as noun and verb.
WHOLE: dict[str, Any] = {
    "auth.login": pgettext_lazy("audit log", "Sign in"),
    "auth.logout": pgettext_lazy("audit log", "Sign out"),
    "auth.lockout": pgettext_lazy("audit log", "Account locked"),
    "http.denied": pgettext_lazy("audit log", "Access refused"),
    "api.denied": pgettext_lazy("audit log", "API access refused"),
}

#: Object types that are no model label (``app_label.model``) of an installed app.
OBJECT_TYPES: dict[str, Any] = {
    "apartments.unit": pgettext_lazy("audit log", "Apartment flat"),
    "policies.payout": pgettext_lazy("audit log", "Policy payout"),
}

#: The actors the log writes for work nobody signed in did.
ACTORS: dict[str, Any] = {
    "anonymous": pgettext_lazy("audit log", "System"),
    "system": pgettext_lazy("audit log", "System"),
    "cli": pgettext_lazy("audit log", "Command line"),
    "worker": pgettext_lazy("audit log", "Background worker"),
}

VISITOR = pgettext_lazy("audit log", "Visitor (not signed in)")

#: The channels of ``core.context`` (web | api | cli | worker | system).
CHANNELS: dict[str, Any] = {
    "web": pgettext_lazy("audit log", "Web"),
    "api": pgettext_lazy("audit log", "API"),
    "cli": pgettext_lazy("audit log", "Command line"),
    "worker": pgettext_lazy("audit log", "Background worker"),
    "system": pgettext_lazy("audit log", "System"),
}

DENIED = "_denied"
#: The 亩均 imports' batch kinds, ``mu_<source>_<year>`` (``mujun.input_importing.batch_kind``).
MU_IMPORT_KIND = re.compile(r"^mu_[a-z]+_\d{4}$")


def _verb(noun: str, verb: str) -> str | None:
    for name in TABLE_OF.get(noun, ()):
        table = TABLES.get(name)
        row = table.get(verb) if table is not None else None
        if row is not None:
            return str(row.label)
    label = VERBS.get(verb)
    return str(label) if label is not None else None


def action_label(code: str) -> str:
    """An action code in words ("交办事项：签收"); the code itself when it has none."""
    if code in WHOLE:
        return str(WHOLE[code])
    denied = code.endswith(DENIED) and code != DENIED
    base = code.removesuffix(DENIED) if denied else code
    parts = base.split(".")
    if MU_IMPORT_KIND.match(parts[0]):
        parts[0] = "mu_input"  # a bureau's 亩均 import: one batch kind per source and year
    for cut in range(len(parts) - 1, 0, -1):
        noun, verb = ".".join(parts[:cut]), ".".join(parts[cut:])
        if noun not in NOUNS:
            continue
        said = _verb(noun, verb)
        if said is None:
            continue
        text = gettext("%(noun)s: %(verb)s") % {"noun": NOUNS[noun], "verb": said}
        return gettext("%(action)s (refused)") % {"action": text} if denied else text
    return code


def has_action_label(code: str) -> bool:
    """Whether ``action_label`` has words for ``code`` (the test of every code in the source)."""
    return action_label(code) != code


def object_type_label(object_type: str) -> str:
    """A stored object type in words: the model's verbose name ("用户"); "" when empty."""
    if not object_type:
        return ""
    if object_type in OBJECT_TYPES:
        return str(OBJECT_TYPES[object_type])
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def actor_label(actor: str, channel: str = "") -> str:
    """The actor of a record: a username as it is, the log's own names in words. Nobody signed
    in on the web or the API (a refused sign-in, a denied request) is a visitor, not the system."""
    if actor == "anonymous" and channel in ("web", "api"):
        return str(VISITOR)
    label = ACTORS.get(actor)
    return str(label) if label is not None else actor


def is_named_actor(actor: str) -> bool:
    """Whether ``actor`` is one of the log's own names (not a username)."""
    return actor in ACTORS


def channel_label(channel: str) -> str:
    label = CHANNELS.get(channel)
    return str(label) if label is not None else channel
