"""Who may use which route: the one place that decides.

Every view declares its audience with one of the decorators below. A request to a view that
declares nothing is refused (fail closed), and a test walks the URL map to keep it that way.
Objects are then loaded through queries scoped to the user's organisation, so that another
organisation's contract is a 404 whether or not it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from portal.data.types import Role

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"
ACCESS_ATTRIBUTE = "access"

COUNCIL_STAFF = (Role.ADMINISTRATOR, Role.CONTRACT_MANAGER)


def public(view: F) -> F:
    """Anyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def signed_in(view: F) -> F:
    """Any signed-in user, whatever their role."""
    return _require(view, SIGNED_IN, None)


def roles(*allowed: Role) -> Callable[[F], F]:
    """Signed-in users with one of these roles."""

    def decorator(view: F) -> F:
        return _require(view, frozenset(allowed), frozenset(allowed))

    return decorator


council_staff = roles(*COUNCIL_STAFF)
administrators = roles(Role.ADMINISTRATOR)
supplier_users = roles(Role.SUPPLIER_USER)


def _require(view: F, declared: Any, allowed: frozenset[Role] | None) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if allowed is not None and current_user.role not in allowed:
            abort(403)
        return view(*args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, declared)
    return wrapped  # type: ignore[return-value]


def declared_access(view: Callable[..., Any]) -> Any:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def refuse_undeclared_routes() -> None:
    """before_request: a view that forgot to declare its audience is closed to everyone."""
    if request.endpoint is None:
        return  # 404 or 405: nothing to guard
    view = current_app.view_functions[request.endpoint]
    if declared_access(view) is None:
        current_app.logger.error("route %s declares no access; refusing", request.endpoint)
        abort(403)


def can_invite(user: Any, role: Role) -> bool:
    """Administrators invite anyone; contract managers invite supplier users."""
    if user.role is Role.ADMINISTRATOR:
        return True
    return user.role is Role.CONTRACT_MANAGER and role is Role.SUPPLIER_USER
