"""UI helpers for templates: query-string links, sortable headers, form widgets, 万元/亿元.

Load with ``{% load zhaoyin_ui %}``. Everything here returns escaped or ``format_html``-built
markup, so no caller can inject HTML through a query parameter or a label.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms, template
from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

#: Shown where a number is missing: an empty cell reads as "zero" to some users, a dash does not.
MISSING = "—"
#: Parameters that a new filter, sort or page size makes meaningless: back to page 1.
PAGE_PARAM = "page"


def _replaced(query: QueryDict, pairs: Iterable[tuple[str, Any]]) -> QueryDict:
    q = query.copy()
    for key, value in pairs:
        if value is None or value == "":
            q.pop(key, None)
        else:
            q[key] = str(value)
    return q


def _pairs(args: tuple[Any, ...]) -> list[tuple[str, Any]]:
    if len(args) % 2:
        raise template.TemplateSyntaxError("querystring_replace takes key value pairs")
    return [(str(args[i]), args[i + 1]) for i in range(0, len(args), 2)]


@register.simple_tag
def querystring_replace(request: HttpRequest, *args: Any) -> str:
    """The current query string with some keys replaced: ``{% querystring_replace request 'page' 3 %}``.

    Several pairs may be given; a value of ``None`` or ``""`` removes the key. The result
    starts with ``?`` (or is ``?`` alone), ready to follow a path in ``href``. Autoescaping
    turns ``&`` into ``&amp;``, which browsers read back correctly.
    """
    q = _replaced(request.GET, _pairs(args))
    return "?" + q.urlencode()


@register.simple_tag
def querystring_hidden(request: HttpRequest, exclude: str = "") -> SafeString:
    """Hidden inputs carrying the current query parameters into a GET form, minus ``exclude``.

    ``exclude`` is a comma-separated list of names the form itself supplies.
    """
    skip = {name.strip() for name in exclude.split(",") if name.strip()}
    skip.add(PAGE_PARAM)
    rows = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in skip
        for value in values
    ]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', rows)


@register.simple_tag(takes_context=True)
def sort_link(
    context: template.Context, field: str, label: Any, param: str = "sort"
) -> SafeString:
    """A sortable column header: ``{% sort_link 'name' _('Name') %}``.

    The first click sorts ascending, the next descending; the current direction shows as an
    icon and as ``aria-sort`` for screen readers. The page number is dropped, because page 3
    of one order is not page 3 of another.
    """
    request: HttpRequest = context["request"]
    current = request.GET.get(param, "")
    if current == field:
        target, icon, state = f"-{field}", "bi-sort-up", "ascending"
    elif current == f"-{field}":
        target, icon, state = field, "bi-sort-down", "descending"
    else:
        target, icon, state = field, "bi-arrow-down-up zy-sort-idle", "none"
    href = querystring_replace(request, param, target, PAGE_PARAM, None)
    return format_html(
        '<a class="zy-sort" href="{}" data-sort-state="{}" aria-sort="{}">{} '
        '<i class="bi {}" aria-hidden="true"></i></a>',
        href, state, state, label, icon,
    )


@register.simple_tag
def active_class(request: HttpRequest, prefix: str, css: str = "active") -> str:
    """``css`` when the current path is ``prefix`` (exactly, for ``/``) or below it."""
    path = request.path
    hit = path == "/" if prefix == "/" else path.startswith(prefix)
    return css if hit else ""


@register.simple_tag
def page_range(page: Page[Any], on_each_side: int = 2, on_ends: int = 1) -> list[int | str]:
    """Page numbers with ellipses (``1 … 4 5 [6] 7 8 … 40``) for the pagination bar."""
    return list(
        page.paginator.get_elided_page_range(page.number, on_each_side=on_each_side, on_ends=on_ends)
    )


_SELECT_WIDGETS = (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)
_CHECK_WIDGETS = (forms.CheckboxInput,)


@register.simple_tag
def ui_field(field: forms.BoundField, size: str = "sm") -> SafeString:
    """Render a bound field's widget with Bootstrap classes (no widget-tweaks dependency).

    Text inputs get the field's label as placeholder so a dense filter bar can hide labels
    visually; the label stays for screen readers.
    """
    widget = field.field.widget
    suffix = f" form-control-{size}" if size else ""
    attrs: dict[str, Any] = {}
    if isinstance(widget, _CHECK_WIDGETS):
        attrs["class"] = "form-check-input"
    elif isinstance(widget, _SELECT_WIDGETS):
        attrs["class"] = "form-select" + (f" form-select-{size}" if size else "")
    else:
        attrs["class"] = "form-control" + suffix
        if not widget.attrs.get("placeholder"):
            attrs["placeholder"] = str(field.label or "")
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
    existing = widget.attrs.get("class")
    if existing:
        attrs["class"] = f"{existing} {attrs['class']}"
    if isinstance(widget, _SELECT_WIDGETS) and _plain_select(widget) and not field.field.localize:
        return _select_html(field, attrs)
    return field.as_widget(attrs=attrs)


_SELECT_TEMPLATES = ("django/forms/widgets/select.html", "django/forms/widgets/select_option.html")


def _plain_select(widget: forms.Widget) -> bool:
    """A select still drawn by Django's own two templates (none of ours overrides them)."""
    return (widget.template_name, getattr(widget, "option_template_name", "")) == _SELECT_TEMPLATES


def _attrs_html(attrs: dict[str, Any]) -> SafeString:
    """Attributes as Django's ``attrs.html`` writes them: ``False`` left out, ``True`` bare."""
    return mark_safe(  # noqa: S308 - each attribute is escaped by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def _select_html(field: forms.BoundField, attrs: dict[str, Any]) -> SafeString:
    """The same HTML as ``field.as_widget(attrs=attrs)`` for a select, written here instead
    of through Django's option template (one template render per option: the filter bars'
    selects were a fifth of a list page's time, measured on /talents/ in issue 13's benchmark).
    ``test_ui_field_select_renders_as_django_does`` holds the two equal."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    parts = [format_html('<select name="{}"', context["name"]), _attrs_html(context["attrs"]), ">"]
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(
            format_html('\n  <option value="{}"{}>{}</option>\n', str(o["value"]), _attrs_html(o["attrs"]), o["label"])
            for o in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@register.inclusion_tag("includes/form_grid.html")
def form_grid(
    form: forms.BaseForm,
    col: str = "col-12",
    *,
    label_class: str = "form-label small mb-0",
    gutter: str = "g-2",
    help_text: bool = False,
    size: str = "sm",
    **cols: str,
) -> dict[str, Any]:
    """A small form's fields on a grid: its non-field errors, hidden fields, then each visible
    field (label, widget, errors, and its help text when ``help_text``) in a column of class
    ``col``; ``size`` is the widgets' size as for :func:`ui_field`.

    A field gets another column by its name: ``{% form_grid fund_form "col-6 col-md-3" note="col-12" %}``.
    The ``<form>`` element, its heading and its button stay in the page.
    """
    return {
        "form": form,
        "label_class": label_class,
        "gutter": gutter,
        "help_text": help_text,
        "size": size,
        "fields": [(field, cols.get(field.name, col)) for field in form.visible_fields()],
    }


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Through str so 0.1 stays 0.1 and not 0.1000000000000000055…
        value = repr(value)
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None


def _grouped(amount: Decimal, places: int) -> str:
    exponent = Decimal(1).scaleb(-places)
    rounded = amount.quantize(exponent, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


@register.filter
def wan(value: Any, places: int = 2) -> str:
    """An amount in 万元 shown with thousands separators: ``12345.6|wan`` → ``12,345.60``.

    Decimal in, no float arithmetic; missing or unreadable values show as a dash.
    """
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return MISSING
    return _grouped(amount, int(places))


@register.filter
def yi(value: Any, places: int = 2) -> str:
    """An amount in 万元 shown in 亿元 (÷ 10 000): ``27800|yi`` → ``2.78``."""
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return MISSING
    return _grouped(amount.scaleb(-4), int(places))


@register.filter
def money(value: Any) -> str:
    """An amount in 万元 in the unit a reader expects: 亿元 from 10 000 万元 up, else 万元."""
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return MISSING
    if abs(amount) >= 10000:
        return _("%(amount)s hundred million yuan") % {"amount": _grouped(amount.scaleb(-4), 2)}
    return _("%(amount)s ten thousand yuan") % {"amount": _grouped(amount, 2)}


@register.filter
def message_class(level_tag: str) -> str:
    """Bootstrap's alert colour for a Django message level (``error`` is ``danger`` there)."""
    return {"error": "danger", "debug": "secondary", "": "info"}.get(level_tag, level_tag)


@register.filter
def split_ints(value: Any) -> list[int]:
    """``"20,50,100"`` (or a list) as a list of ints, for the page-size choices."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    out = []
    for item in items:
        try:
            out.append(int(item))
        except (TypeError, ValueError):
            continue
    return out


@register.filter
def split_names(value: Any) -> list[str]:
    """``"sort,page_size"`` as ``["sort", "page_size"]``."""
    return [name.strip() for name in str(value or "").split(",") if name.strip()]


@register.filter
def getlist(query: Any, key: str) -> list[str]:
    """Every value of ``key`` in a QueryDict (``request.GET|getlist:'industry'``)."""
    if isinstance(query, QueryDict):
        return query.getlist(key)
    return []


@register.simple_tag
def record_total(count: Any, page_obj: Any = None) -> int:
    """The number of records a list shows: ``count`` when given, else the paginator's count.

    ``{% record_total count page_obj as total %}``; a missing variable counts as absent and
    a list with nothing in it gives 0 (the plural form needs a number, never "").
    """
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    if isinstance(count, str) and count.strip().isdigit():
        return int(count)
    paginator = getattr(page_obj, "paginator", None)
    total = getattr(paginator, "count", 0)
    return total if isinstance(total, int) else 0
