"""Commands for accounts: ``flask --app wsgi create-admin``."""

from __future__ import annotations

import click
from flask import Flask

from app.core.errors import PortalError


def register_commands(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", required=True, help="The administrator's full name.")
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 12 characters, hard to guess.",
    )
    def create_admin(email: str, name: str, password: str) -> None:
        """Create a system administrator (with no organisation)."""
        from app.accounts import services

        try:
            user = services.create_user(
                None,
                email=email,
                name=name,
                organisation_id=None,
                password=password,
                is_admin=True,
            )
        except PortalError as exc:
            details = getattr(exc, "fields", {})
            raise click.ClickException(
                " ".join([exc.message, *details.values()]).strip()
            ) from exc
        click.echo(f"Administrator {user.email} created (id {user.id}).")
