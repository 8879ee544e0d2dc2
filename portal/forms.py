"""Form fields with GOV.UK widgets and messages, shared by every blueprint."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

__all__ = [
    "BooleanField",
    "DecimalField",
    "EmailField",
    "IntegerField",
    "NewPasswordField",
    "PasswordField",
    "RadioField",
    "SelectField",
    "StringField",
    "SubmitField",
    "TextAreaField",
    "GovCheckboxInput",
    "GovPasswordInput",
    "GovRadioInput",
    "GovSelect",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
    "optional_int",
    "strip",
]


def optional_int(value: Any) -> int | None:
    """Coerce for select fields whose first option is an empty 'Select ...' prompt."""
    if value in (None, ""):
        return None
    return int(value)


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class EmailField(StringField):
    """Text input tuned for email addresses (no HTML5 type=email: we validate on the server)."""

    widget = GovTextInput()

    def __init__(self, label: str = "Email address", **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        kwargs.setdefault("render_kw", {"autocomplete": "email", "spellcheck": "false"})
        super().__init__(label, **kwargs)


class NewPasswordInput(GovPasswordInput):
    """The GOV.UK password input sets autocomplete itself; a new password wants new-password."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        params.setdefault("autocomplete", "new-password")
        return params


class NewPasswordField(PasswordField):
    widget = NewPasswordInput()

    def __init__(self, label: str = "Create a password", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
