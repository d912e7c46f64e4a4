"""Tokens: issue, use, expire, revoke; the same answer for every bad sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.accounts.models import User
from app.core.db import db
from support.api import ApiClient, error_of
from support.world import PASSWORD, World, make_token


def sign_in(client, email: str, password: str):
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}
    )


def test_token_round_trip(world: World, client) -> None:
    user = world.users["inspector"]
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)

    me = ApiClient(client, body["token"]).get("/me")
    assert me.status_code == 200
    assert me.get_json() == {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "organisation_id": str(user.organisation_id),
        "is_admin": False,
        "locale": "en",
    }


def test_email_is_case_insensitive(world: World, client) -> None:
    user = world.users["inspector"]
    assert sign_in(client, user.email.upper(), PASSWORD).status_code == 201


def test_unknown_email_and_wrong_password_answer_alike(world: World, client) -> None:
    wrong = sign_in(client, world.users["inspector"].email, "not the password at all")
    unknown = sign_in(client, "nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)
    assert error_of(wrong)["code"] == "unauthenticated"


def test_disabled_user_cannot_sign_in_and_tokens_stop(world: World, client) -> None:
    user = world.users["contributor"]
    token = world.tokens["contributor"]
    assert ApiClient(client, token).get("/me").status_code == 200
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert ApiClient(client, token).get("/me").status_code == 401
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 401
    assert error_of(response) == error_of(sign_in(client, "x@example.org", PASSWORD))


def test_revoked_token_no_longer_works(world: World, client) -> None:
    token = sign_in(client, world.users["observer"].email, PASSWORD).get_json()["token"]
    api = ApiClient(client, token)
    assert api.delete("/auth/token").status_code == 204
    response = api.get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused(world: World, client) -> None:
    token = make_token(world.users["observer"], ttl=timedelta(seconds=-1))
    assert ApiClient(client, token).get("/me").status_code == 401


def test_missing_or_malformed_authorization(world: World, client) -> None:
    for header in (
        None,
        "Bearer",
        "Bearer ",
        "Basic abc",
        "bearer nonsense",
        "x" * 5000,
    ):
        headers = {"Authorization": header} if header else {}
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, header
        assert error_of(response)["code"] == "unauthenticated"


def test_token_is_stored_only_as_a_hash(world: World, client) -> None:
    from app.auth.models import ApiToken

    token = sign_in(client, world.users["observer"].email, PASSWORD).get_json()["token"]
    stored = [row.token_hash for row in db.session.query(ApiToken).all()]
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_api_ignores_the_session_cookie(world: World, client) -> None:
    # A browser session must never authenticate an API call (no CSRF by proxy).
    with client.session_transaction() as session:
        session["_user_id"] = str(world.users["inspector"].id)
    assert client.get("/api/v1/me").status_code == 401


def test_sign_in_is_rate_limited_with_retry_after(world: World, client) -> None:
    email = world.users["inspector"].email
    statuses = [
        sign_in(client, email, "wrong password!!").status_code for _ in range(5)
    ]
    assert statuses == [401] * 5
    # Even the right password is refused while the limit lasts.
    limited = sign_in(client, email, PASSWORD)
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_successful_sign_ins_do_not_use_up_the_limit(world: World, client) -> None:
    email = world.users["inspector"].email
    assert all(sign_in(client, email, PASSWORD).status_code == 201 for _ in range(8))


def test_bad_sign_in_bodies(world: World, client) -> None:
    cases = [
        ({"email": "a@b.c"}, "password"),
        ({"password": "x"}, "email"),
        ({"email": 5, "password": "x"}, "email"),
        ({"email": "a@b.c", "password": ["x"]}, "password"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 400, body
        error = error_of(response)
        assert error["code"] == "validation_error"
        assert field in error["fields"]
