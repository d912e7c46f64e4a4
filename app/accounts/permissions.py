"""Who may manage organisations and users: system administrators only."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from app.accounts.models import User
from app.core.api import current_actor
from app.core.errors import Forbidden
from app.core.i18n import _

F = TypeVar("F", bound=Callable[..., Any])


def require_admin(user: User) -> None:
    """403 for anyone but a system administrator (the administration area exists
    for everyone; only what is in it is restricted)."""
    if not user.is_admin:
        raise Forbidden(_("Only system administrators may do this."))


def admin_required(view: F) -> F:
    """Refuse non-administrators before reading the request body: a 403 does
    not depend on whether their input would have been valid."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_admin(current_actor())
        return view(*args, **kwargs)

    return cast(F, wrapper)
