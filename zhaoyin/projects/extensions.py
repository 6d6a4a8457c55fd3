"""What the apps above projects add to a project's page, without being imported here.

The 亩均 evaluation (``zhaoyin.mujun``) adds the section of the project's 亩均 conditions
(履约); it registers its provider from its ``AppConfig.ready``, so projects does not import it
(docs/architecture.md, the layer map).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from zhaoyin.accounts.models import User
from zhaoyin.projects.models import Project

#: Gets the request, the viewing user and the project (already fetched through the scoped
#: selector); returns a rendered section of the project's page ('' to show nothing).
DetailSection = Callable[[HttpRequest, User, Project], SafeString]

_SECTIONS: dict[str, DetailSection] = {}


def register_detail_section(provider: DetailSection) -> None:
    """Add a provider of a section (registering the same function again replaces it)."""
    _SECTIONS[f"{provider.__module__}.{provider.__qualname__}"] = provider


def detail_sections(request: HttpRequest, user: User, project: Project) -> list[SafeString]:
    """The sections every registered provider adds to the project's page, in registration order."""
    out = [provider(request, user, project) for provider in _SECTIONS.values()]
    return [section for section in out if section]
