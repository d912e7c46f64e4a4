"""Commands for background jobs: ``worker`` and ``jobs`` (the failed ones)."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register_commands(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run what is queued, then stop.")
    def worker(burst: bool) -> None:
        """Run queued jobs (text extraction) from the Redis queue; needs
        REDIS_URL. Run one or more on any host, under a process supervisor."""
        from rq import Worker

        from app.jobs import services

        if not current_app.config.get("REDIS_URL"):
            raise click.ClickException(
                "REDIS_URL is not set: jobs run inside the app, no worker is needed."
            )
        runner = services.runner(current_app)
        assert isinstance(runner, services.RqRunner)
        services.set_worker_app(current_app._get_current_object())  # type: ignore[attr-defined]
        Worker([runner.queue], connection=runner.connection).work(burst=burst)

    @app.cli.command("jobs")
    @click.option("--requeue", is_flag=True, help="Queue every failed job again.")
    def jobs(requeue: bool) -> None:
        """List the jobs that failed after their retries (and requeue them)."""
        from rq.job import Job

        from app.jobs import services

        runner = services.runner(current_app)
        if not isinstance(runner, services.RqRunner):
            click.echo(
                "REDIS_URL is not set: jobs run inside the app; failures are logged."
            )
            return
        registry = runner.queue.failed_job_registry
        ids = registry.get_job_ids()
        click.echo(f"{len(ids)} failed job(s) on queue {runner.queue.name}.")
        for job_id in ids:
            job = Job.fetch(job_id, connection=runner.connection)
            result = job.latest_result()
            trace = (getattr(result, "exc_string", None) or "").strip()
            last = trace.splitlines()[-1:] or [""]
            click.echo(f"  {job_id}  {job.description}  {last[0]}")
            if requeue:
                registry.requeue(job_id)
        if requeue and ids:
            click.echo(f"Queued {len(ids)} job(s) again.")
