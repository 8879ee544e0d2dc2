from __future__ import annotations

from datetime import date

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, ValidationError

from portal import calendar
from portal.domain.counting import AgeBand, ContractType
from portal.domain.workforce_import import MAX_REFERENCE, MAX_STANDARD, contract_type_label
from portal.forms import (
    BooleanField,
    DateField,
    DecimalField,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    VersionedForm,
    conflict_message,
    max_length,
    strip,
    text_area,
    text_input,
)

CONFLICT = conflict_message("this return")


class LineForm(VersionedForm):
    figure = DecimalField(
        "Figure delivered this quarter",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the figure delivered this quarter"),
            NumberRange(min=0, message="The figure must be 0 or more"),
        ],
    )
    narrative = text_area(
        "What was delivered",
        required="Describe what was delivered",
        max_length=2000,
        name_in_errors="Description",
        description="A short description the council can check against the evidence",
    )
    nil_reason = text_area(
        "If nothing was delivered, why not?",
        max_length=2000,
        name_in_errors="Reason",
    )
    # Shown on a queried line only: added to its thread, under the council's query.
    reply = text_area(
        "Your reply to the council (optional)",
        max_length=2000,
        name_in_errors="Reply",
        description="Say what you changed, or why the line is right as it is",
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


class DerivedLineForm(VersionedForm):
    """People measures: the figure comes from the workforce records, only words are typed."""

    narrative = LineForm.narrative
    nil_reason = LineForm.nil_reason
    reply = LineForm.reply
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


AGE_BAND_CHOICES = [SelectChoice("", "Select an age band")] + [
    SelectChoice(band.value, band.label) for band in AgeBand
]
CONTRACT_TYPE_CHOICES = [SelectChoice("", "Select a contract type")] + [
    SelectChoice(kind.value, contract_type_label(kind)) for kind in ContractType
]


class PersonForm(VersionedForm):
    worker_reference = StringField(
        "Worker reference",
        widget=GovTextInput(),
        filters=[strip],
        description="Your own reference for the person from your HR system, never their name",
        validators=[max_length(MAX_REFERENCE, "Worker reference")],
    )
    postcode = StringField(
        "Home postcode",
        widget=GovTextInput(),
        filters=[strip],
        description="Only the first part and the next digit are kept, like M4 5",
        validators=[max_length(20, "Home postcode")],
    )
    age_band = SelectField(
        "Age band when they started",
        widget=GovSelect(),
        choices=AGE_BAND_CHOICES,
        validate_choice=False,
    )
    starts_on = DateField(
        "Start date on this contract", name_in_errors="Start date", required=False
    )
    ends_on = DateField("End date, if they have left", name_in_errors="End date", required=False)
    weekly_hours = StringField(
        "Contracted weekly hours",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(20, "Weekly hours")],
    )
    share = StringField(
        "Share of their time on this contract (%)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(20, "Share of time")],
    )
    hire = RadioField(
        "New hire or retained?",
        widget=GovRadioInput(),
        choices=[SelectChoice("new hire", "New hire"), SelectChoice("retained", "Retained")],
        validate_choice=False,
    )
    apprenticeship_level = StringField(
        "Apprenticeship level (2 to 7), if an apprentice",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(20, "Apprenticeship level")],
    )
    apprenticeship_standard = StringField(
        "Apprenticeship standard, if an apprentice",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(MAX_STANDARD, "Apprenticeship standard")],
    )
    # Fair work (design brief section 5a): optional unless the contract has a fair-work measure.
    hourly_pay = StringField(
        "Basic hourly pay",
        widget=GovTextInput(),
        filters=[strip],
        description="Before tax, not counting overtime or bonuses, like 12.60",
        validators=[max_length(20, "Basic hourly pay")],
    )
    contract_type = SelectField(
        "Contract type",
        widget=GovSelect(),
        choices=CONTRACT_TYPE_CHOICES,
        validate_choice=False,
    )
    guaranteed_hours = StringField(
        "Guaranteed weekly hours",
        widget=GovTextInput(),
        filters=[strip],
        description="The hours a week their contract guarantees: 0 for a zero-hours contract",
        validators=[max_length(20, "Guaranteed weekly hours")],
    )
    submit = SubmitField("Add person", widget=GovSubmitInput())

    FAIR_WORK = ("hourly_pay", "contract_type", "guaranteed_hours")

    def fair_work_required(self, required: bool) -> None:
        """Label the fair-work questions optional unless the contract needs them answered."""
        if not required:
            for name in self.FAIR_WORK:
                field = getattr(self, name)
                field.label.text = f"{field.label.text} (optional)"


class UploadForm(VersionedForm):
    file = FileField(
        "Upload a file", widget=GovFileInput(), validators=[InputRequired("Select a file")]
    )
    submit = SubmitField("Upload", widget=GovSubmitInput())


class EvidenceForm(UploadForm):
    attach_to = SelectField("What is it evidence for?", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Upload evidence", widget=GovSubmitInput())


class SubmitReturnForm(VersionedForm):
    confirm = BooleanField("I confirm this declaration", widget=GovCheckboxInput())
    submit = SubmitField("Submit return", widget=GovSubmitInput())


class ActionForm(VersionedForm):
    """A button that changes the return (copy people, remove a person or a file)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


PLAN_CONFLICT = conflict_message("this recovery plan", then="make your changes again")


class RecoveryActionForm(VersionedForm):
    action = text_area(
        "What will you do?",
        required="Enter the action you will take",
        max_length=2000,
        name_in_errors="Action",
    )
    owner = text_input(
        "Who is responsible?",
        required="Enter who is responsible for the action",
        max_length=200,
        name_in_errors="Owner",
        description="A name or a role, like Site manager",
    )
    due_on = DateField(
        "By when?",
        name_in_errors="Date the action will be done by",
        description="For example, 31 3 2027",
    )

    # An action's date already past may be kept when its words or owner change.
    kept_due_on: date | None = None

    def validate_due_on(self, field: DateField) -> None:
        if field.data not in (None, self.kept_due_on) and field.data < calendar.today():
            raise ValidationError("Date the action will be done by must be today or in the future")

    submit = SubmitField("Add to the recovery plan", widget=GovSubmitInput())


class ChangeActionForm(RecoveryActionForm):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ActionDoneForm(VersionedForm):
    done_on = DateField(
        "When was it done?",
        name_in_errors="Date the action was done",
        description="For example, 27 3 2026",
    )

    def validate_done_on(self, field: DateField) -> None:
        if field.data is not None and field.data > calendar.today():
            raise ValidationError("Date the action was done must be today or in the past")

    submit = SubmitField("Mark as done", widget=GovSubmitInput())
