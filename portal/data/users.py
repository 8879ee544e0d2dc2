"""Users, sign-in, invitations and password-reset tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.auth.passwords import hash_password, verify_password
from portal.data import audit, organisations, sessions
from portal.data.base import as_dict, utcnow
from portal.data.models import Organisation, PasswordResetRequest, User, UserToken
from portal.data.pagination import Page, paginate
from portal.data.types import Role, TokenPurpose
from portal.extensions import db


class EmailInUse(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries a version so old sessions die on reset."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.organisation)])
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = get_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    return user


def record_sign_in(user: User) -> None:
    # Written past the ORM so that signing in neither moves the user's version (an
    # administrator's open page of them stays current) nor races another save of the row.
    now = utcnow()
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(last_signed_in_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(user, "last_signed_in_at", now)


def invite(
    *, email: str, full_name: str, role: Role, organisation: Organisation, invited_by: User
) -> User:
    if get_by_email(email) is not None:
        raise EmailInUse(email)
    if organisation.kind is not role.organisation_kind:
        raise ValueError(f"a {role.label} cannot belong to a {organisation.kind} organisation")
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        role=role,
        organisation_id=organisation.id,
        organisation_kind=organisation.kind,
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        invited_by,
        "invited",
        "user",
        user.id,
        after=as_dict(user, "email", "full_name", "role", "organisation_id"),
    )
    return user


def create_user(
    *, email: str, full_name: str, role: Role, organisation: Organisation, password: str
) -> User:
    """For the create-admin command and demo data: an account that can sign in at once."""
    if get_by_email(email) is not None:
        raise EmailInUse(email)
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        role=role,
        organisation_id=organisation.id,
        organisation_kind=organisation.kind,
        password_hash=hash_password(password),
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1
    sessions.end_all_for(user.id, utcnow())  # whoever knew the old password is signed out


def deactivate(user: User, by: User) -> None:
    user.deactivated_at = utcnow()
    user.session_version += 1
    sessions.end_all_for(user.id, utcnow())
    db.session.execute(
        update(UserToken)
        .where(UserToken.user_id == user.id, UserToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    audit.record(
        by, "deactivated", "user", user.id, before={"active": True}, after={"active": False}
    )


def reactivate(user: User, by: User) -> None:
    user.deactivated_at = None
    audit.record(
        by, "reactivated", "user", user.id, before={"active": False}, after={"active": True}
    )


# Single-use links. The raw token goes only into the email; the database keeps its hash.


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    user: User, purpose: TokenPurpose, valid_for: timedelta, created_by: User | None = None
) -> str:
    raw = secrets.token_urlsafe(32)
    db.session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash_token(raw),
            expires_at=utcnow() + valid_for,
            created_by_id=created_by.id if created_by else None,
        )
    )
    return raw


def find_valid_token(
    raw: str, purpose: TokenPurpose, now: datetime | None = None
) -> UserToken | None:
    now = now or utcnow()
    token = db.session.scalar(
        select(UserToken)
        .options(joinedload(UserToken.user))
        .where(UserToken.token_hash == _hash_token(raw), UserToken.purpose == purpose)
    )
    if token is None or token.used_at is not None or token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    return token


def use_token(token: UserToken, password: str) -> bool:
    """Spend the token and set the password. False if another request spent it first."""
    spent = db.session.execute(
        update(UserToken)
        .where(UserToken.id == token.id, UserToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_password(token.user, password)
    # Any other outstanding links of the same kind die with this one.
    db.session.execute(
        update(UserToken)
        .where(
            UserToken.user_id == token.user_id,
            UserToken.purpose == token.purpose,
            UserToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return True


# Reset requests. The request only records the address, the same for every address; the delivery
# worker (portal.jobs.outbox) looks it up, so the page's timing says nothing about accounts.


def request_password_reset(email: str) -> None:
    db.session.add(PasswordResetRequest(email=normalise_email(email)[:320]))


def take_reset_requests(limit: int = 200) -> list[str]:
    """The oldest reset requests' addresses, each once, and the requests deleted: nothing is kept
    about an address once its request has been dealt with."""
    rows = list(
        db.session.scalars(
            select(PasswordResetRequest)
            .order_by(PasswordResetRequest.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # two workers never take the same request
        )
    )
    if rows:
        db.session.execute(
            delete(PasswordResetRequest).where(
                PasswordResetRequest.id.in_([row.id for row in rows])
            )
        )
    return list(dict.fromkeys(row.email for row in rows))


# Lists and lookups


def list_users(admin: User, *, page: int, search: str = "") -> Page[User]:
    query = (
        select(User)
        .join(User.organisation)
        .options(joinedload(User.organisation))
        .where(_in_reach_of(admin))
        .order_by(func.lower(User.full_name), User.id)
    )
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.full_name).like(pattern) | User.email.like(pattern))
    return paginate(query, page)


def get_for_admin(admin: User, user_id: int) -> User | None:
    """A user of the administrator's council or of one of its suppliers; never another
    council's, nor a supplier's that only another council deals with."""
    query = (
        select(User)
        .join(User.organisation)
        .options(joinedload(User.organisation))
        .where(User.id == user_id, _in_reach_of(admin))
    )
    return db.session.scalar(query)


def _in_reach_of(admin: User) -> ColumnElement[bool]:
    return organisations.seen_by(admin)


def users_of(organisation_id: int) -> list[User]:
    query = (
        select(User)
        .where(User.organisation_id == organisation_id)
        .order_by(func.lower(User.full_name), User.id)
    )
    return list(db.session.scalars(query))


def contract_managers(council_id: int) -> list[User]:
    query = (
        select(User)
        .where(
            User.organisation_id == council_id,
            User.role.in_([Role.CONTRACT_MANAGER, Role.ADMINISTRATOR]),
            User.deactivated_at.is_(None),
        )
        .order_by(func.lower(User.full_name))
    )
    return list(db.session.scalars(query))
