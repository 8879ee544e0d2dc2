"""Form fields with GOV.UK widgets and messages, shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
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
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from portal.domain.postcodes import InvalidPostcode, normalise_postcode
from portal.request_input import whole_number

__all__ = [
    "ConfirmChangeForm",
    "VersionedForm",
    "conflict_message",
    "DateField",
    "MoneyField",
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
    "max_length",
    "optional_int",
    "strip",
    "text_area",
    "text_input",
    "two_places",
    "uk_postcode",
]


def conflict_message(what: str, *, then: str = "save your changes again") -> str:
    """What the second of two people editing the same thing is told (the words returns use)."""
    return (
        f"Someone else changed {what} after you opened this page, so your changes have not "
        f"been saved. Check what it says now, then {then}"
    )


class VersionField(HiddenField):
    """The version the page was loaded at. On a post it is only ever what was sent: WTForms
    would otherwise fill a missing field from the object (the current version), and a form
    without its version would be taken as fresh."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else None


class VersionedForm(FlaskForm):
    """Carries the version of what it changes (see portal.data.versions), so a stale form
    cannot overwrite newer work. Every form that edits a stored object is one of these."""

    version = VersionField()

    @property
    def expected_version(self) -> int | None:
        return whole_number(self.version.data, minimum=0)


class ConfirmChangeForm(VersionedForm):
    """A button (or a page of fields read by hand) that changes a stored object: retire or
    bring back a measure, deactivate a user, a quarterly profile. Pressed on an older page,
    it must not undo what someone else just did."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


def optional_int(value: Any) -> int | None:
    """Coerce for select fields whose first option is an empty 'Select ...' prompt."""
    if value in (None, ""):
        return None
    number = whole_number(value)
    if number is None:
        raise ValueError("not an id")  # the field shows it as an invalid choice
    return number


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def max_length(limit: int, name_in_errors: str) -> Length:
    return Length(max=limit, message=f"{name_in_errors} must be {limit} characters or fewer")


def two_places(name_in_errors: str) -> Callable[[Any, Any], None]:
    """A figure stored to 2 decimal places must be typed with no more, or it changes on saving."""

    def check(_form: Any, field: Any) -> None:
        if isinstance(field.data, Decimal) and field.data != field.data.quantize(Decimal("0.01")):
            raise ValidationError(f"{name_in_errors} must have no more than 2 decimal places")

    return check


def uk_postcode(_form: Any, field: Any) -> None:
    """Validator: an optional full UK postcode (an organisation's, so kept whole), put in its
    usual form, M4 5AB."""
    if not field.data:
        return
    try:
        field.data = normalise_postcode(field.data)
    except InvalidPostcode as error:
        raise ValidationError("Enter a real UK postcode, like M4 5AB") from error


def text_input(
    label: str,
    *,
    max_length: int,
    name_in_errors: str,
    required: str | None = None,
    **kwargs: Any,
) -> StringField:
    """A one-line text box whose answer is stripped, with GOV.UK's messages: `required` is the
    one shown when it is left empty, like "Enter the contract title"."""
    return StringField(
        label, widget=GovTextInput(), **_text(max_length, name_in_errors, required, kwargs)
    )


def text_area(
    label: str,
    *,
    max_length: int,
    name_in_errors: str,
    required: str | None = None,
    **kwargs: Any,
) -> TextAreaField:
    """The same as text_input, for a longer answer."""
    return TextAreaField(
        label, widget=GovTextArea(), **_text(max_length, name_in_errors, required, kwargs)
    )


def _text(
    limit: int, name_in_errors: str, required: str | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    # DataRequired checks the stripped answer: spaces alone are not an answer.
    validators = [DataRequired(required)] if required else []
    return {
        "filters": [strip],
        "validators": [*validators, max_length(limit, name_in_errors)],
        **kwargs,
    }


class EmailField(StringField):
    """Text input tuned for email addresses (no HTML5 type=email: we validate on the server)."""

    widget = GovTextInput()

    def __init__(self, label: str = "Email address", **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        # RFC 5321's longest address; every email field is limited, whatever else it checks.
        validators = list(kwargs.get("validators", []))
        if not any(isinstance(v, Length) and v.max > 0 for v in validators):
            validators.append(max_length(320, "Email address"))
        kwargs["validators"] = validators
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


class DateInput(GovDateInput):
    """GOV.UK date input that survives missing parts and links errors to the day box.

    govuk-frontend-wtf's own widget puts `required` on a <div> and fails on a partial POST.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("value", "")
        return self.render(self.map_gov_params(field, **kwargs))

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = GovFormBase.map_gov_params(self, field, **kwargs)
        params["attributes"].pop("required", None)
        params["id"] = f"{field.id}-date"  # the wrapper; the day box itself has the field's id
        day, month, year = field.parts()
        error = " govuk-input--error" if field.errors else ""
        params.setdefault(
            "fieldset",
            {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}},
        )
        params["items"] = [
            # The day box takes the field's id, so the error summary link lands on it.
            {
                "label": "Day",
                "id": field.id,
                "name": field.name,
                "value": day,
                "classes": "govuk-input--width-2" + error,
                "inputmode": "numeric",
            },
            {
                "label": "Month",
                "id": f"{field.id}-month",
                "name": field.name,
                "value": month,
                "classes": "govuk-input--width-2" + error,
                "inputmode": "numeric",
            },
            {
                "label": "Year",
                "id": f"{field.id}-year",
                "name": field.name,
                "value": year,
                "classes": "govuk-input--width-4" + error,
                "inputmode": "numeric",
            },
        ]
        return params


class DateField(Field):
    """Day, month and year boxes, with GOV.UK error messages that name the field."""

    widget = DateInput()

    def __init__(
        self, label: str, *, name_in_errors: str, required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.name_in_errors = name_in_errors  # e.g. "Start date"
        self.required = required
        self.typed: list[str] | None = None

    def parts(self) -> list[str]:
        if self.typed is not None:
            return self.typed
        if isinstance(self.data, date):
            return [str(self.data.day), str(self.data.month), str(self.data.year)]
        return ["", "", ""]

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.typed = ([str(v).strip() for v in valuelist] + ["", "", ""])[:3]
        day, month, year = self.typed
        self.data = None
        if not any(self.typed):
            return
        missing = [
            name
            for name, part in zip(("day", "month", "year"), self.typed, strict=True)
            if not part
        ]
        if missing:
            raise ValueError(f"{self.name_in_errors} must include a {' and '.join(missing)}")
        try:
            if len(year) != 4:
                raise ValueError
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{self.name_in_errors} must be a real date") from error

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(f"Enter the {self.name_in_errors.lower()}")


class MoneyField(DecimalField):
    """Pounds and pence, with £ and thousands separators allowed."""

    widget = GovTextInput()

    def __init__(self, label: str, *, name_in_errors: str, **kwargs: Any) -> None:
        kwargs.setdefault("places", 2)
        super().__init__(label, **kwargs)
        self.name_in_errors = name_in_errors

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            cleaned = str(valuelist[0]).replace("£", "").replace(",", "").strip()
            try:
                super().process_formdata([cleaned] if cleaned else [])
            except ValueError as error:
                raise ValueError(f"{self.name_in_errors} must be a number, like 1250000") from error
