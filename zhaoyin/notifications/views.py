"""The inbox (站内信): a user's own notifications, paged, with "mark read" and "mark all read".

Every signed-in account has an inbox (it holds only what was sent to that account, and the
senders send only what the recipient's scope allows); another user's notification is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import ALL_ROLES
from zhaoyin.notifications import selectors, services

PAGE_SIZE = 30


@allow(ALL_ROLES)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; ``?unread=1`` shows the unread ones only."""
    user = request_user(request)
    unread_only = request.GET.get("unread") == "1"
    page_obj = IdFirstPaginator(selectors.inbox_for(user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page_obj, "unread_only": unread_only, "unread_count": selectors.unread_count(user)},
    )


@allow(ALL_ROLES)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ``open=1`` go on to what it links to."""
    user = request_user(request)
    notification = selectors.notification_get_for_user(user=user, pk=pk)
    services.notification_mark_read(acting_user=user, notification=notification)
    link = notification.link
    if request.POST.get("open") == "1" and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return HttpResponseRedirect(link)
    return HttpResponseRedirect(reverse("notifications:inbox"))


@allow(ALL_ROLES)
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the user read."""
    user = request_user(request)
    count = services.notification_mark_all_read(acting_user=user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    return HttpResponseRedirect(reverse("notifications:inbox"))
