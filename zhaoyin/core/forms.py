"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django import forms

from zhaoyin.core.errors import InvalidInput


def add_service_errors(form: forms.Form, exc: InvalidInput) -> None:
    """Show a service's field errors on the form: on the field when the form has it, else on
    the form as a whole — so a message from the shared validators is never lost."""
    for err in exc.errors or [{"field": "", "message": str(exc.detail)}]:
        field = err.get("field", "")
        form.add_error(field if field in form.fields else None, err["message"])
