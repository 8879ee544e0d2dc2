from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Email, EqualTo, InputRequired, Length

from portal.auth.passwords import MAX_LENGTH, MIN_LENGTH
from portal.forms import (
    EmailField,
    GovPasswordInput,
    GovSubmitInput,
    NewPasswordField,
    PasswordField,
    SubmitField,
    max_length,
)

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


class SignInForm(FlaskForm):
    email = EmailField(validators=[InputRequired("Enter your email address"), Email(EMAIL_MESSAGE)])
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), max_length(MAX_LENGTH, "Password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(validators=[InputRequired("Enter your email address"), Email(EMAIL_MESSAGE)])
    submit = SubmitField("Send a reset link", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = NewPasswordField(
        description=f"Use at least {MIN_LENGTH} characters. A few unrelated words work well.",
        validators=[
            InputRequired("Enter a password"),
            Length(min=MIN_LENGTH, message=f"Password must be {MIN_LENGTH} characters or more"),
            max_length(MAX_LENGTH, "Password"),
        ],
    )
    confirm = NewPasswordField(
        "Confirm your password",
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", "Passwords must match"),
            max_length(MAX_LENGTH, "Password"),
        ],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class SignOutOthersForm(FlaskForm):
    submit = SubmitField("Sign out of every other device", widget=GovSubmitInput())
