"""Commands for intake: the daily reminders (and the outbox's retries)."""

from __future__ import annotations

import sys

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    @app.cli.command("send-reminders")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Act as if it were this day (YYYY-MM-DD), for testing.",
    )
    def send_reminders(today: object) -> None:
        """E-mail the request reminders due today (5 and 2 days before, on
        the day, overdue), and retry any e-mail that failed before: reminders
        and notifications alike (the outbox). Run daily; each message goes
        out once however often this runs. Exits 1 if a message failed (it
        stays pending and is tried again next time)."""
        from app.intake import reminders
        from app.notifications import services as notifications

        day = today.date() if today is not None else None  # type: ignore[attr-defined]
        report = reminders.send_reminders(day)
        click.echo(
            f"Reminders: {report.recorded} new, {report.sent} sent, "
            f"{report.skipped} no longer needed, {report.failed} failed."
        )
        stopped = report.stopped
        failed = report.failed
        if not stopped:
            told = notifications.send_pending()
            click.echo(
                f"Notifications: {told.sent} sent, {told.skipped} no longer "
                f"needed, {told.failed} failed."
            )
            stopped, failed = told.stopped, failed + told.failed
        if stopped:
            click.echo(f"The mail server could not be reached: {stopped}")
        if stopped or failed:
            sys.exit(1)
