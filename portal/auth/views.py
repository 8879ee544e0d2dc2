"""Sign in and out, invitations and password resets."""

from __future__ import annotations

from math import ceil
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import sessions
from portal.auth import throttle
from portal.auth.forms import (
    ForgotPasswordForm,
    SetPasswordForm,
    SignInForm,
    SignOutOthersForm,
)
from portal.auth.permissions import public, signed_in
from portal.config import current_settings
from portal.data import commit, users
from portal.data.types import Role, TokenPurpose
from portal.domain.sessions import wait_in_words
from portal.extensions import limiter
from portal.formatting import count

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
def sign_in() -> str | Response | tuple[str, int, dict[str, str]]:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = SignInForm()
    if form.validate_on_submit():
        email = users.normalise_email(form.email.data or "")[:320]
        address = request.remote_addr or ""
        # Only failures count (see throttle): a correct password is never what locks anyone out.
        wait = throttle.wait_seconds(email, address)
        if wait:
            form.email.errors.append(
                f"You have tried to sign in too many times. Try again in {wait_in_words(wait)}"
            )
            page = render_template("auth/sign_in.html", form=form, title="Sign in")
            return page, 429, {"Retry-After": str(ceil(wait))}
        user = users.authenticate(email, form.password.data or "")
        if user is not None:
            throttle.clear(email)
            sessions.start(user)  # a new session id on every sign-in: no fixation
            users.record_sign_in(user)
            commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user.role))
        throttle.record_failure(email, address)
        # The same words whether the address is unknown, the password wrong or the user inactive.
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form, title="Sign in")


@auth.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    was_idle = request.form.get("reason") == "idle"  # the timeout warning ran out
    sessions.end()
    commit()
    if was_idle:
        idle = count(current_settings().session_idle_minutes, "minute")
        message = f"You have been signed out because you had not used the service for {idle}"
        flash(message, "success")
    else:
        flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@auth.route("/session/keep-alive", methods=["POST"])
@signed_in
def keep_alive() -> tuple[str, int]:
    """'Stay signed in' on the timeout warning: the request itself keeps the session alive."""
    sessions.keep_alive()
    return "", 204


@auth.route("/account")
@signed_in
def account() -> str:
    current = sessions.current_record_id()
    active = sessions.active_sessions(current_user)
    return render_template(
        "auth/account.html",
        title="Your account",
        active=active,
        current_id=current,
        others=sum(1 for row in active if row.id != current),
        form=SignOutOthersForm(),
    )


@auth.route("/account/sign-out-other-devices", methods=["POST"])
@signed_in
def sign_out_other_devices() -> Response:
    if SignOutOthersForm().validate_on_submit():
        ended = sessions.end_others(current_user)
        commit()
        flash(
            "You have signed out of every other device"
            if ended
            else "You were not signed in on any other device",
            "success",
        )
    return redirect(url_for("auth.account"))


@auth.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=_submitted_email)
def forgot_password() -> str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same work for every address, known or not: record the request and answer. The
        # delivery worker looks the address up and sends the link (see portal.jobs.outbox).
        users.request_password_reset(form.email.data or "")
        commit()
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
        sessions.end()  # use_token ended every session of the user; this browser's too
        commit()
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
        sessions.start(user)
        commit()
        flash(f"Welcome, {user.full_name}. Your account is ready.", "success")
        return redirect(home_for(user.role))
    return render_template(
        "auth/accept_invitation.html", form=form, user=found.user, title="Create your account"
    )


def _link_not_valid() -> tuple[str, int]:
    return render_template("auth/link_not_valid.html", title="This link is not valid"), 410
