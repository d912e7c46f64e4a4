"""Pages: signing in and out."""

from __future__ import annotations

import time

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.accounts import services as account_services
from app.auth import bp, services
from app.auth.forms import SignInForm
from app.core.errors import Unauthenticated
from app.core.i18n import _
from app.core.limiter import limiter
from app.core.web import SESSION_SEEN, safe_next_url


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _failed(response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
@limiter.limit(
    _sign_in_limit, key_func=get_remote_address, deduct_when=_failed, methods=["POST"]
)
def sign_in() -> str | Response:
    target = safe_next_url(request.args.get("next"), url_for("reviews.dashboard"))
    if current_user.is_authenticated:
        return redirect(target)
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data or "",
                form.password.data or "",
                ip_address=request.remote_addr,
                via="web",
            )
        except Unauthenticated:
            g.sign_in_failed = failed = True
        else:
            # A fresh session: nothing from before signing in carries over.
            session.clear()
            login_user(user)
            session.permanent = True
            session[SESSION_SEEN] = int(time.time())
            return redirect(target)
    return render_template("auth/sign_in.html", form=form, failed=failed)


@bp.route("/sign-out", methods=["POST"], endpoint="sign_out")
@login_required
def sign_out() -> Response:
    # Ends this user's sessions in every browser, not only this one.
    account_services.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.sign_in"))
