"""Commands for the audit trail: ``flask --app wsgi verify-audit``."""

from __future__ import annotations

import sys

import click
from flask import Flask

from app.audit import chain
from app.core.db import db


def register_commands(app: Flask) -> None:
    @app.cli.command("verify-audit")
    def verify_audit() -> None:
        """Recompute the audit trail's hash chain from its first event. Exits
        0 when it is whole; 1, naming the first seq that does not verify,
        when an event was edited, deleted or inserted."""
        verdict = chain.verify(db.session)
        if verdict.whole:
            click.echo(
                f"The audit trail is whole: {verdict.checked} event(s); the "
                f"newest hash is {verdict.head_hash}."
            )
            return
        click.echo(
            f"The audit trail does not verify at seq {verdict.first_bad_seq}: "
            f"{verdict.reason} ({verdict.checked} event(s) read).",
            err=True,
        )
        sys.exit(1)
