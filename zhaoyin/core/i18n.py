"""Language choice for pages: Chinese unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language header when no language
was chosen. Zhaoyin is a Chinese government system used from browsers of any locale, so
pages start in zh-hans (DESIGN: "Chinese by default, English available") and only the
language switch (the language cookie) changes that. The API keeps honouring
Accept-Language: its clients are programs that say what they want.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware


class DefaultLanguageLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware that ignores Accept-Language outside the API."""

    def process_request(self, request: HttpRequest) -> None:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
