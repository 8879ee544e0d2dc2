from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, NumberRange, Optional, ValidationError

from portal.auth.forms import EMAIL_MESSAGE
from portal.data.types import MeasureKind, MeasureUnit, Role
from portal.domain.postcodes import parse_area_codes
from portal.forms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    IntegerField,
    MoneyField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    VersionedForm,
    max_length,
    optional_int,
    strip,
    text_input,
    two_places,
    uk_postcode,
)


class InviteForm(FlaskForm):
    """Invite a person; the view narrows the role and organisation choices to what the user may."""

    full_name = text_input(
        "Full name",
        required="Enter the person's full name",
        max_length=200,
        name_in_errors="Full name",
    )
    email = EmailField(
        validators=[
            InputRequired("Enter the person's email address"),
            Email(EMAIL_MESSAGE),
            max_length(320, "Email address"),
        ]
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[SelectChoice(r.value, r.label) for r in Role],
        validators=[InputRequired("Select a role")],
    )
    organisation = SelectField(
        "Organisation",
        widget=GovSelect(),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired("Select an organisation")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class SupplierInviteForm(FlaskForm):
    full_name = InviteForm.full_name
    email = InviteForm.email
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class OrganisationForm(VersionedForm):
    name = text_input(
        "Name",
        required="Enter the organisation's name",
        max_length=200,
        name_in_errors="Name",
    )
    is_sme = BooleanField("Small or medium-sized enterprise (SME)", widget=GovCheckboxInput())
    is_vcse = BooleanField(
        "Voluntary, community or social enterprise (VCSE)", widget=GovCheckboxInput()
    )
    postcode = StringField(
        "Postcode (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[max_length(20, "Postcode"), uk_postcode],
        description="Of the organisation's main address, like M4 5AB",
    )
    # Suppliers only (the view removes it for a council).
    is_living_wage_employer = BooleanField(
        "Accredited Living Wage employer", widget=GovCheckboxInput()
    )
    # Councils only (the view removes it for a supplier).
    is_in_london = BooleanField(
        "The council is in London: its contracts use the London real Living Wage",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


MAX_MEASURE_TEXT = 2000


class MeasureForm(VersionedForm):
    code = text_input(
        "Code",
        required="Enter a code",
        max_length=40,
        name_in_errors="Code",
        description="A short identifier used in imports and exports, like LOCAL_HIRES",
    )
    name = text_input(
        "Name",
        required="Enter a name",
        max_length=200,
        name_in_errors="Name",
    )
    unit = RadioField(
        "Unit",
        widget=GovRadioInput(),
        choices=[SelectChoice(u.value, u.label) for u in MeasureUnit],
        validators=[InputRequired("Select a unit")],
    )
    kind = RadioField(
        "How the target works",
        widget=GovRadioInput(),
        choices=[SelectChoice(k.value, k.label) for k in MeasureKind],
        validators=[InputRequired("Select how the target works")],
    )
    counting_rule = TextAreaField(
        "How it is counted",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            InputRequired("Enter how the measure is counted"),
            max_length(MAX_MEASURE_TEXT, "How it is counted"),
        ],
    )
    evidence_guidance = TextAreaField(
        "Evidence expected",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            InputRequired("Enter the evidence expected"),
            max_length(MAX_MEASURE_TEXT, "Evidence expected"),
        ],
    )
    proxy_value = DecimalField(
        "Proxy value in £ per unit (optional)",
        widget=GovTextInput(),
        places=2,
        validators=[Optional(), NumberRange(min=0, message="Proxy value must be £0 or more")],
    )
    proxy_price_year = IntegerField(
        "Price-base year of the proxy value",
        widget=GovTextInput(),
        description="For example, 2024",
        validators=[
            Optional(),
            NumberRange(
                min=2000, max=2100, message="Price-base year must be between 2000 and 2100"
            ),
        ],
    )
    submit = SubmitField("Save measure", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Cross-field rules: Optional() stops a field's own validators when it is empty.
        value, year = self.proxy_value, self.proxy_price_year
        if value.data is not None and year.data is None and not year.errors:
            year.errors = [*year.errors, "Enter the price-base year of the proxy value"]
            valid = False
        if value.data is None and year.data is not None and not value.errors:
            value.errors = [*value.errors, "Enter a proxy value, or remove the price-base year"]
            valid = False
        if year.data is not None and year.data > date.today().year and not year.errors:
            year.errors = [*year.errors, "Price-base year must be this year or earlier"]
            valid = False
        return valid


class LocalAreaForm(VersionedForm):
    name = text_input(
        "Name of the area",
        required="Enter a name for the area",
        max_length=200,
        name_in_errors="Name",
    )
    codes = TextAreaField(
        "Postcode districts and sectors",
        widget=GovTextArea(),
        description="One per line or separated by commas. A district (M1) covers all its "
        "sectors; a sector (M27 4) covers only itself.",
        validators=[
            InputRequired("Enter at least one postcode district or sector"),
            max_length(5000, "Postcode districts and sectors"),
        ],
    )
    is_default = BooleanField(
        "Use this area for contracts that do not name another", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save local area", widget=GovSubmitInput())

    def validate_codes(self, field: TextAreaField) -> None:
        valid, invalid = parse_area_codes(field.data or "")
        if invalid:
            shown = ", ".join(invalid[:5]) + (" and more" if len(invalid) > 5 else "")
            raise ValidationError(
                f"Enter postcode districts like M1 or sectors like M27 4 (not valid: {shown})"
            )
        if not valid:
            raise ValidationError("Enter at least one postcode district or sector")


LIVING_WAGE_PLACES = [
    SelectChoice("uk", "The rest of the UK"),
    SelectChoice("london", "London"),
]


class LivingWageRateForm(VersionedForm):
    place = RadioField(
        "Where does the rate apply?",
        widget=GovRadioInput(),
        choices=LIVING_WAGE_PLACES,
        validators=[InputRequired("Select where the rate applies")],
    )
    hourly_rate = MoneyField(
        "Hourly rate",
        name_in_errors="Hourly rate",
        description="In pounds and pence, like 13.45",
        validators=[
            InputRequired("Enter the hourly rate"),
            NumberRange(
                min=Decimal(1), max=Decimal(500), message="Hourly rate must be between £1 and £500"
            ),
            two_places("Hourly rate"),
        ],
    )
    announced_on = DateField(
        "Date announced",
        name_in_errors="Date announced",
        description="When the Living Wage Foundation announced it, for example, 21 10 2025",
    )
    payable_from = DateField(
        "Payable from",
        name_in_errors="Payable from date",
        description="The day employers must pay it from, for example, 1 5 2026",
    )
    submit = SubmitField("Save rate", widget=GovSubmitInput())

    def validate_payable_from(self, field: DateField) -> None:
        if field.data and self.announced_on.data and field.data < self.announced_on.data:
            raise ValidationError(
                "Payable from date must be the same as or after the date announced"
            )


class ConfirmForm(FlaskForm):
    """A button behind CSRF for actions such as deactivate and retire."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class SpendSettingsForm(VersionedForm):
    """How the council's spend analysis reads its suppliers (design brief section 5b)."""

    top_n = IntegerField(
        "How many suppliers make the top suppliers",
        widget=GovTextInput(),
        description="The suppliers with the most spend each year; CLES's Manchester work took 300",
        validators=[
            InputRequired("Enter how many suppliers make the top suppliers"),
            NumberRange(min=1, max=10_000, message="Top suppliers must be between 1 and 10,000"),
        ],
    )
    wider_area = SelectField(
        "Wider area",
        widget=GovSelect(),
        coerce=optional_int,
        description="Suppliers in it but outside the local area count as in the wider area, "
        "such as the city region. Add one as a local area first.",
    )
    public_body_words = TextAreaField(
        "Words that mark a public body",
        widget=GovTextArea(),
        description="One per line. A payee whose name has one of them as a whole word is "
        "proposed as a public body, and left out of the top suppliers until someone says "
        "otherwise.",
        validators=[
            InputRequired("Enter at least one word that marks a public body"),
            max_length(5000, "Words that mark a public body"),
        ],
    )
    submit = SubmitField("Save spend settings", widget=GovSubmitInput())
