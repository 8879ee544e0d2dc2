"""One function per kind of email. Each renders a plain-text body and writes it to the outbox.

The caller commits, then delivers: an email exists only if the change that caused it was saved.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import render_template

from portal.config import current_settings
from portal.data import outbox, returns, users
from portal.data.models import Flag, OutboxMessage, Return, User
from portal.data.types import EmailKind, EmailStatus, LineReview, PlanStatus, ReturnStatus
from portal.formatting import listing
from portal.notifications.links import absolute_url
from portal.template_helpers import period_of


def _absolute(endpoint: str, **values: Any) -> str:
    return absolute_url(endpoint, **values)


def _fingerprint(token: str) -> str:
    """Identifies one link in the outbox key without revealing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def invitation(user: User, *, token: str, invited_by: User) -> OutboxMessage:
    settings = current_settings()
    body = render_template(
        "emails/invitation.txt",
        user=user,
        invited_by=invited_by,
        link=_absolute("auth.accept_invitation", token=token),
        valid_days=settings.invitation_valid_days,
        settings=settings,
    )
    return outbox.enqueue(
        key=f"invitation:{user.id}:{_fingerprint(token)}",
        kind=EmailKind.INVITATION,
        recipient=user.email,
        subject=f"You have been invited to {settings.council_name}'s {settings.service_name}",
        body=body,
        user_id=user.id,
        council_id=invited_by.organisation_id,  # only council staff invite
    )


def password_reset(user: User, *, token: str) -> OutboxMessage:
    settings = current_settings()
    body = render_template(
        "emails/password_reset.txt",
        user=user,
        link=_absolute("auth.reset_password", token=token),
        valid_minutes=settings.password_reset_valid_minutes,
        settings=settings,
    )
    return outbox.enqueue(
        key=f"password_reset:{user.id}:{_fingerprint(token)}",
        kind=EmailKind.PASSWORD_RESET,
        recipient=user.email,
        subject=f"Reset your password for {settings.service_name}",
        body=body,
        user_id=user.id,
        # A supplier user's account is no one council's: see outbox.get_for_admin.
        council_id=user.organisation_id if user.is_council_staff else None,
    )


def _return_email_key(kind: EmailKind, ret: Return, occasion: str, recipient: User) -> str:
    return f"{kind.value}:{ret.id}:{occasion}:{recipient.id}"


def _return_email(
    kind: EmailKind,
    ret: Return,
    recipient: User,
    *,
    subject: str,
    template: str,
    link: str,
    occasion: str,
    **context: Any,
) -> OutboxMessage:
    settings = current_settings()
    body = render_template(
        template,
        user=recipient,
        ret=ret,
        contract=ret.contract,
        period=period_of(ret),
        link=link,
        settings=settings,
        **context,
    )
    return outbox.enqueue(
        key=_return_email_key(kind, ret, occasion, recipient),
        kind=kind,
        recipient=recipient.email,
        subject=subject,
        body=body,
        user_id=recipient.id,
        council_id=ret.contract.council_id,
    )


def return_submitted(ret: Return, manager: User, submission_number: int) -> OutboxMessage:
    """To the contract manager: a return is waiting for review."""
    return _return_email(
        EmailKind.RETURN_SUBMITTED,
        ret,
        manager,
        subject=f"{ret.contract.reference}: {period_of(ret)} return submitted for review",
        template="emails/return_submitted.txt",
        link=_absolute("council.review_return", return_id=ret.id),
        occasion=f"submission-{submission_number}",
        resubmission=submission_number > 1,
        still_accepted=returns.accepted_measures(ret),
    )


def changes_requested(ret: Return, supplier_user: User, submission_number: int) -> OutboxMessage:
    """To each supplier user: the manager queried lines of their return."""
    return _return_email(
        EmailKind.CHANGES_REQUESTED,
        ret,
        supplier_user,
        subject=f"{ret.contract.reference}: changes requested to your {period_of(ret)} return",
        template="emails/changes_requested.txt",
        link=_absolute("supplier.view_return", return_id=ret.id),
        occasion=f"submission-{submission_number}",
        queried=[line for line in ret.lines if line.review is LineReview.QUERIED],
        accepted=returns.accepted_measures(ret),
        reviewer_name=returns.reviewer_name(ret),
    )


def return_accepted(ret: Return, supplier_user: User, submission_number: int) -> OutboxMessage:
    return _return_email(
        EmailKind.RETURN_ACCEPTED,
        ret,
        supplier_user,
        subject=f"{ret.contract.reference}: your {period_of(ret)} return was accepted",
        template="emails/return_accepted.txt",
        link=_absolute("supplier.view_return", return_id=ret.id),
        occasion=f"submission-{submission_number}",
        reviewer_name=returns.reviewer_name(ret),
    )


def _reopening_occasion(ret: Return) -> str:
    # Reopened at most once per submission: it has to be sent again before it is accepted again.
    return f"reopened-{ret.submission_count}"


def return_reopened(ret: Return, supplier_user: User) -> OutboxMessage:
    """To each supplier user: the council reopened their accepted return."""
    reopening = ret.reopenings[-1]
    return _return_email(
        EmailKind.RETURN_REOPENED,
        ret,
        supplier_user,
        subject=f"{ret.contract.reference}: your {period_of(ret)} return has been reopened",
        template="emails/return_reopened.txt",
        link=_absolute("supplier.view_return", return_id=ret.id),
        occasion=_reopening_occasion(ret),
        reopening=reopening,
        reopened=[line for line in ret.lines if line.review is LineReview.QUERIED],
        accepted=returns.accepted_measures(ret),
    )


def about_the_decision(ret: Return) -> str:
    """Who the supplier's emails about the latest review went to, and how each delivery went:
    "We emailed Sam Smith.", or that nobody at the supplier could be emailed."""
    kind = (
        EmailKind.RETURN_ACCEPTED
        if ret.status is ReturnStatus.ACCEPTED
        else EmailKind.CHANGES_REQUESTED
    )
    return _who_was_emailed(ret, kind, f"submission-{ret.submission_count}")


def about_the_reopening(ret: Return) -> str:
    """The same as about_the_decision, for the emails saying the return was reopened."""
    return _who_was_emailed(ret, EmailKind.RETURN_REOPENED, _reopening_occasion(ret))


def _who_was_emailed(ret: Return, kind: EmailKind, occasion: str) -> str:
    people = {
        _return_email_key(kind, ret, occasion, person): person.full_name
        for person in users.users_of(ret.contract.supplier_id)
    }
    written = outbox.with_keys(list(people))
    return told(
        ret.contract.supplier.name,
        [(name, written[key]) for key, name in people.items() if key in written],
    )


def told(supplier_name: str, emailed: list[tuple[str, OutboxMessage]]) -> str:
    """Who at the supplier is being emailed (name, message): the delivery worker sends what a
    request writes, so right after it most are still on their way."""
    if not emailed:
        return (
            f"Nobody at {supplier_name} can sign in, so nobody could be emailed: "
            "invite someone from the supplier."
        )

    def to(*statuses: EmailStatus) -> str:
        return listing([name for name, message in emailed if message.status in statuses])

    sentences = {
        "We emailed {}.": to(EmailStatus.SENT),
        "We are emailing {}.": to(EmailStatus.PENDING, EmailStatus.SENDING),
        "The email to {} could not be sent.": to(EmailStatus.FAILED),
    }
    return " ".join(sentence.format(names) for sentence, names in sentences.items() if names)


# Recovery plans: the conversation about a flag


def _plan_email(
    kind: EmailKind,
    flag: Flag,
    recipient: User,
    *,
    subject: str,
    endpoint: str,
    **context: Any,
) -> OutboxMessage:
    """Keyed by the plan's version, which each change moves on: one email per change."""
    settings = current_settings()
    body = render_template(
        f"emails/{kind.value}.txt",
        user=recipient,
        flag=flag,
        contract=flag.contract,
        link=_absolute(endpoint, flag_id=flag.id),
        settings=settings,
        **context,
    )
    return outbox.enqueue(
        key=f"{kind.value}:{flag.id}:{flag.plan_version}:{recipient.id}",
        kind=kind,
        recipient=recipient.email,
        subject=subject,
        body=body,
        user_id=recipient.id,
        council_id=flag.contract.council_id,
    )


def recovery_plan_sent(flag: Flag, manager: User, *, before: PlanStatus) -> OutboxMessage:
    """To the contract manager: the supplier wrote a plan, or changed it, and it waits for an
    answer. `before` is where the plan stood: none yet, changes asked for, or accepted."""
    done = "wrote a recovery plan" if before is PlanStatus.NONE else "changed its recovery plan"
    return _plan_email(
        EmailKind.RECOVERY_PLAN_SENT,
        flag,
        manager,
        subject=f"{flag.contract.reference}: {flag.contract.supplier.name} {done}",
        endpoint="council.view_flag",
        before=before.value,
    )


def recovery_plan_accepted(
    flag: Flag, supplier_user: User, *, by: User, comment: str
) -> OutboxMessage:
    return _plan_email(
        EmailKind.RECOVERY_PLAN_ACCEPTED,
        flag,
        supplier_user,
        subject=f"{flag.contract.reference}: your recovery plan was accepted",
        endpoint="supplier.view_flag",
        by=by,
        comment=comment,
    )


def recovery_plan_changes_asked(
    flag: Flag, supplier_user: User, *, by: User, comment: str
) -> OutboxMessage:
    return _plan_email(
        EmailKind.RECOVERY_PLAN_CHANGES_ASKED,
        flag,
        supplier_user,
        subject=f"{flag.contract.reference}: {current_settings().council_name} asked for changes "
        "to your recovery plan",
        endpoint="supplier.view_flag",
        by=by,
        comment=comment,
    )
