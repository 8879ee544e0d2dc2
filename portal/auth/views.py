"""Sign in and out, invitations and password resets."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth.forms import ForgotPasswordForm, SetPasswordForm, SignInForm
from portal.auth.permissions import public
from portal.config import current_settings
from portal.data import commit, users
from portal.data.types import Role, TokenPurpose
from portal.extensions import limiter
from portal.notifications import delivery, emails

auth = Blueprint("auth", __name__)


def _email_limit() -> str:
    return current_settings().sign_in_rate_limit


def _address_limit() -> str:
    return current_settings().sign_in_ip_rate_limit


def _submitted_email() -> str:
    return users.normalise_email(request.form.get("email", ""))[:320] or request.remote_addr or ""


def home_for(role: Role) -> str:
    if role is Role.SUPPLIER_USER:
        return url_for("supplier.dashboard")
    return url_for("council.dashboard_page")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@auth.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=_submitted_email)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()  # a fresh session on every sign-in: no fixation
            session.permanent = True
            login_user(user)
            users.record_sign_in(user)
            commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user.role))
        # The same words whether the address is unknown, the password wrong or the user inactive.
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form, title="Sign in")


@auth.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@auth.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=_submitted_email)
def forgot_password() -> str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = users.get_by_email(form.email.data or "")
        if user is not None and user.is_active:
            valid_for = timedelta(minutes=current_settings().password_reset_valid_minutes)
            token = users.issue_token(user, TokenPurpose.PASSWORD_RESET, valid_for)
            message = emails.password_reset(user, token=token)
            commit()
            delivery.deliver([message.id])
        # Same page whether or not the address has an account.
        return render_template(
            "auth/check_email.html", email=form.email.data, title="Check your email"
        )
    return render_template("auth/forgot_password.html", form=form, title="Reset your password")


@auth.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response | tuple[str, int]:
    found = users.find_valid_token(token, TokenPurpose.PASSWORD_RESET)
    if found is None:
        return _link_not_valid()
    form = SetPasswordForm()
    if form.validate_on_submit():
        if not users.use_token(found, form.password.data or ""):
            return _link_not_valid()
        commit()
        logout_user()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template(
        "auth/set_password.html", form=form, user=found.user, title="Create a new password"
    )


@auth.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    found = users.find_valid_token(token, TokenPurpose.INVITATION)
    if found is None:
        return _link_not_valid()
    form = SetPasswordForm()
    if form.validate_on_submit():
        if not users.use_token(found, form.password.data or ""):
            return _link_not_valid()
        user = found.user
        users.record_sign_in(user)
        commit()
        session.clear()
        session.permanent = True
        login_user(user)
        flash(f"Welcome, {user.full_name}. Your account is ready.", "success")
        return redirect(home_for(user.role))
    return render_template(
        "auth/accept_invitation.html", form=form, user=found.user, title="Create your account"
    )


def _link_not_valid() -> tuple[str, int]:
    return render_template("auth/link_not_valid.html", title="This link is not valid"), 410
