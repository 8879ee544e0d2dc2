from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovFileInput
from wtforms.fields import HiddenField
from wtforms.fields.choices import SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange

from portal.forms import (
    DateField,
    DecimalField,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
    MoneyField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    max_length,
    optional_int,
    strip,
    text_area,
    text_input,
    two_places,
    uk_postcode,
)
from portal.supplier.forms import VersionedForm

MAX_TARGET = Decimal("9999999999.99")

KPI_CHOICES = [
    SelectChoice("auto", "Decide from the value: yes when it is over £5 million"),
    SelectChoice("yes", "Yes"),
    SelectChoice("no", "No"),
]


class ContractForm(VersionedForm):
    reference = text_input(
        "Contract reference",
        required="Enter the contract reference",
        max_length=50,
        name_in_errors="Contract reference",
    )
    title = text_input(
        "Title",
        required="Enter the contract title",
        max_length=300,
        name_in_errors="Title",
    )
    supplier = SelectField(
        "Supplier", widget=GovSelect(), coerce=optional_int, validate_choice=False
    )
    new_supplier = text_input(
        "Or add a new supplier",
        max_length=200,
        name_in_errors="Supplier name",
        description="The supplier's full name, if it is not in the list yet",
    )
    new_supplier_postcode = StringField(
        "New supplier's postcode (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(20, "New supplier's postcode"), uk_postcode],
        description="Of its main address, like M4 5AB",
    )
    manager = SelectField(
        "Contract manager",
        widget=GovSelect(),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired("Select the contract manager")],
    )
    value = MoneyField(
        "Contract value",
        name_in_errors="Contract value",
        description="The total value over the contract's life, in pounds",
        validators=[
            InputRequired("Enter the contract value"),
            NumberRange(min=0, message="Contract value must be £0 or more"),
        ],
    )
    start_on = DateField(
        "Start date", name_in_errors="Start date", description="For example, 1 4 2025"
    )
    end_on = DateField(
        "End date",
        name_in_errors="End date",
        description="The last day of the contract, for example, 31 3 2028",
    )
    reporting_starts_on = DateField(
        "Reporting starts (optional)",
        name_in_errors="Reporting start date",
        required=False,
        description="For a contract entered part-way through its life: the first day the "
        "supplier reports on, for example, 1 10 2026. Earlier quarters need no return and "
        "expected figures are measured from this day. Leave it empty to report from the start.",
    )
    local_area = SelectField(
        "Area that counts as local", widget=GovSelect(), coerce=optional_int, validate_choice=False
    )
    # The first choice is labelled with the council's own rate by the view.
    living_wage = RadioField(
        "Which real Living Wage rate applies",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("council", "The council's rate"),
            SelectChoice("london", "London"),
            SelectChoice("uk", "The rest of the UK"),
        ],
        default="council",  # always sent by a browser: the council's rate is checked
    )
    kpi = RadioField(
        "Is it a Procurement Act 2023 KPI contract?",
        widget=GovRadioInput(),
        choices=KPI_CHOICES,
        default="auto",
        validators=[InputRequired("Select whether it is a KPI contract")],
    )
    submit = SubmitField("Save contract", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.supplier.data is None and not self.new_supplier.data:
            self.supplier.errors = [
                *self.supplier.errors,
                "Select a supplier or enter the name of a new one",
            ]
            valid = False
        if self.supplier.data is not None and self.new_supplier.data:
            self.new_supplier.errors = [
                *self.new_supplier.errors,
                "Either select a supplier or add a new one, not both",
            ]
            valid = False
        if self.new_supplier_postcode.data and not self.new_supplier.data:
            self.new_supplier_postcode.errors = [
                *self.new_supplier_postcode.errors,
                "Enter the new supplier's name, or remove its postcode",
            ]
            valid = False
        if self.start_on.data and self.end_on.data and self.end_on.data < self.start_on.data:
            self.end_on.errors = [
                *self.end_on.errors,
                "End date must be the same as or after the start date",
            ]
            valid = False
        reporting = self.reporting_starts_on.data
        if reporting and self.start_on.data and self.end_on.data:
            if reporting < self.start_on.data:
                self.reporting_starts_on.errors = [
                    *self.reporting_starts_on.errors,
                    "Reporting start date must be the same as or after the start date",
                ]
                valid = False
            elif reporting > self.end_on.data:
                self.reporting_starts_on.errors = [
                    *self.reporting_starts_on.errors,
                    "Reporting start date must be the same as or before the end date",
                ]
                valid = False
        return valid


class CommitmentForm(FlaskForm):
    measure = SelectField(
        "Measure",
        widget=GovSelect(),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired("Select a measure")],
    )
    target = DecimalField(
        "Target",
        widget=GovTextInput(),
        description="For a total over the contract, the whole-life total; for a level, the "
        "level to hold in every quarter",
        validators=[
            InputRequired("Enter the target"),
            NumberRange(min=0.01, message="Target must be more than 0"),
            # the column holds 12 digits, 2 after the point
            NumberRange(max=MAX_TARGET, message="Target must be 9,999,999,999.99 or less"),
            two_places("Target"),
        ],
    )
    note = text_area(
        "Note (optional)",
        max_length=2000,
        name_in_errors="Note",
    )
    submit = SubmitField("Add commitment", widget=GovSubmitInput())


class CommitmentChangeForm(VersionedForm):
    target = CommitmentForm.target
    note = CommitmentForm.note
    reason = text_area(
        "Reason for the change",
        max_length=2000,
        name_in_errors="Reason",
        description="Needed once the contract has started: it goes in the contract's history",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class RetireCommitmentForm(VersionedForm):
    reason = text_area(
        "Why is this commitment being retired?",
        required="Enter why the commitment is being retired",
        max_length=2000,
        name_in_errors="Reason",
    )
    submit = SubmitField("Retire commitment", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV or Excel (.xlsx) file made from the template",
        validators=[InputRequired("Select a CSV or Excel file")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ConfirmImportForm(FlaskForm):
    submit = SubmitField("Import contracts", widget=GovSubmitInput())


class WaiveFlagForm(VersionedForm):
    reason = text_area(
        "Why are you waiving this flag?",
        required="Enter why you are waiving this flag",
        max_length=2000,
        name_in_errors="Reason",
        description="For example, an agreed variation to the contract. It is kept in the history.",
    )
    submit = SubmitField("Waive flag", widget=GovSubmitInput())


class PlanAnswerForm(VersionedForm):
    """Accept a recovery plan, or ask for a better one: the button pressed decides."""

    comment = text_area(
        "Your comments for the supplier",
        max_length=2000,
        name_in_errors="Comments",
        description="If you ask for changes, say what the plan needs. The supplier sees this "
        "in the plan's history and in the email they get.",
    )
    accept = SubmitField("Accept the plan", widget=GovSubmitInput())
    ask = SubmitField("Ask for changes", widget=GovSubmitInput())


class AssessmentPeriodForm(FlaskForm):
    """Which period to assess: a financial year, or the 12 months ending a day. Read from the
    query string, so the page and its downloads share one address."""

    class Meta:
        csrf = False

    period = RadioField(
        "Assessment period", widget=GovRadioInput(), choices=[], validate_choice=False
    )
    ending = DateField(
        "Last day of the 12 months",
        name_in_errors="Last day of the 12 months",
        required=False,
        description="For example, 30 6 2026",
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.period.data not in {choice.value for choice in self.period.choices}:
            self.period.errors = [*self.period.errors, "Select the period to assess"]
            valid = False
        if self.period.data == "12m" and self.ending.data is None and not self.ending.errors:
            self.ending.errors = [*self.ending.errors, "Enter the last day of the 12 months"]
            valid = False
        return valid


class ExplanationForm(VersionedForm):
    explanation = text_area(
        "Explanation",
        required="Enter the explanation of the supplier's performance",
        max_length=5000,
        name_in_errors="Explanation",
        description="Published with the ratings in the contract performance notice: what "
        "happened, what the supplier is doing about any shortfall, and any agreed changes.",
    )
    submit = SubmitField("Save explanation", widget=GovSubmitInput())


# Spend files (design brief section 5b)

SPEND_FILE_TYPES = ("csv", "xlsx")


class SpendUploadForm(FlaskForm):
    files = MultipleFileField(
        "Upload spend files",
        widget=GovFileInput(multiple=True),
        description="CSV or Excel (.xlsx) files, such as the twelve monthly files of a year",
        validators=[FileRequired("Select one or more CSV or Excel files")],
    )
    submit = SubmitField("Upload and check the columns", widget=GovSubmitInput())


class SpendColumnsForm(FlaskForm):
    """The columns' select boxes are made for each upload's files (see spend_loading)."""

    submit = SubmitField("Load the files", widget=GovSubmitInput())


class SpendOverlapForm(FlaskForm):
    choice = RadioField(
        "What do you want to do?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("replace", "Replace the payments on these dates"),
            SelectChoice("leave", "Leave this file out"),
        ],
        validators=[InputRequired("Select whether to replace the payments or leave the file out")],
    )
    # The columns each waiting file was read with, as the person confirmed them (JSON).
    columns = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


# Payees of the council's spend files (design brief section 5b)

MATCH_CHOICES = [
    SelectChoice("confirm", "Yes, it is the proposed supplier"),
    SelectChoice("other", "It is another supplier in the portal"),
    SelectChoice("spend_only", "It is not a supplier in the portal: known only from spend"),
]


def _answer_choices(unknown: str) -> list[SelectChoice]:
    return [SelectChoice("yes", "Yes"), SelectChoice("no", "No"), SelectChoice("unknown", unknown)]


class PayeeMatchForm(VersionedForm):
    match = RadioField(
        "Which portal supplier is this payee?",
        widget=GovRadioInput(),
        choices=MATCH_CHOICES,
        validators=[InputRequired("Select which supplier this payee is")],
    )
    supplier = SelectField(
        "Portal supplier", widget=GovSelect(), coerce=optional_int, validate_choice=False
    )
    save_match = SubmitField("Save supplier", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.match.data == "other" and self.supplier.data is None:
            self.supplier.errors = [*self.supplier.errors, "Select the portal supplier"]
            return False
        return valid


class PayeeClassificationForm(VersionedForm):
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(20, "Postcode"), uk_postcode],
        description="Of its main address, like M4 5AB. Leave it empty if it is not known",
    )
    is_sme = RadioField(
        "Is it a small or medium-sized enterprise (SME)?",
        widget=GovRadioInput(),
        choices=_answer_choices("Not known"),
        description="Fewer than 250 staff",
        validators=[InputRequired("Select whether it is an SME")],
    )
    is_vcse = RadioField(
        "Is it a voluntary, community or social enterprise (VCSE)?",
        widget=GovRadioInput(),
        choices=_answer_choices("Not known"),
        description="A charity, community group, social enterprise or co-operative",
        validators=[InputRequired("Select whether it is a VCSE")],
    )
    is_public_body = RadioField(
        "Is it a public body?",
        widget=GovRadioInput(),
        choices=_answer_choices("Not decided: go by its name"),
        description="Public bodies are left out of the supplier spend",
        validators=[InputRequired("Select whether it is a public body")],
    )
    save_classification = SubmitField("Save classification", widget=GovSubmitInput())


class MergePayeesForm(VersionedForm):
    payees = SelectMultipleField(
        "Payees to merge into this one",
        widget=GovCheckboxesInput(),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired("Select the payees to merge into this one")],
    )
    merge = SubmitField("Merge into this payee", widget=GovSubmitInput())


class ClassificationUploadForm(FlaskForm):
    file = FileField(
        "Upload the filled-in file",
        widget=GovFileInput(),
        description="The CSV or Excel (.xlsx) file you downloaded, with its columns filled in",
        validators=[InputRequired("Select a CSV or Excel file")],
    )
    upload = SubmitField("Upload and save", widget=GovSubmitInput())
