"""The `coachway` command: serve, migrate, demo data, users, jobs, worker, scheduler."""

import logging
from typing import Annotated

import typer

from coachway.app import DOMAIN_PORTS, DOMAINS

app = typer.Typer(help="CoachWay: operations platform for a motorcoach charter company.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled and queued jobs.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(jobs_app, name="jobs")


@app.command()
def serve(host: str = "127.0.0.1", port: Annotated[int | None, typer.Option()] = None,
          service: Annotated[str | None, typer.Option(help="Serve one domain's API alone")] = None,
          reload: bool = False) -> None:
    """Serve the web pages and API (or one domain's API with --service)."""
    import uvicorn

    if service is not None:
        if service not in DOMAINS:
            raise typer.BadParameter(f"unknown service {service!r}; built: {', '.join(DOMAINS)}")
        port = port or DOMAIN_PORTS[service]
        typer.echo(f"Serving the {service} API on http://{host}:{port}")
        uvicorn.run(_one(service), host=host, port=port)
        return
    port = port or 8000
    typer.echo(f"Serving CoachWay on http://{host}:{port}  (API docs: /docs)")
    uvicorn.run("coachway.app:create_app", factory=True, host=host, port=port, reload=reload)


def _one(service: str):
    from coachway.app import create_app

    return create_app([service], pages=False)


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    from coachway.config import get_settings
    from coachway.core.migrate import upgrade

    url = get_settings().database_url
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade()
    typer.echo("Database is up to date.")


@app.command("demo-data")
def demo_data(scale: Annotated[int, typer.Option(min=1, max=10_000, help="N times more data")] = 1,
              if_empty: Annotated[bool, typer.Option(help="Only when no demo data exists yet")] = False
              ) -> None:
    """Load a believable small charter company (hubs, fleet, staff of every role, clients)."""
    from coachway import demo

    created = demo.load(scale=scale, only_if_empty=if_empty)
    if created:
        typer.echo("Demo data loaded.")
    typer.echo(demo.sign_in_help())


@users_app.command("create")
def users_create(email: Annotated[str, typer.Option()], password: Annotated[str, typer.Option()],
                 role: Annotated[str, typer.Option()], name: Annotated[str, typer.Option()] = "") -> None:
    """Create a user who can sign in."""
    from coachway.auth.service import create_user
    from coachway.core.db import transaction
    from coachway.core.errors import DomainError
    from coachway.core.permissions import SYSTEM

    try:
        with transaction() as session:
            user = create_user(session, SYSTEM, email=email, full_name=name or email.split("@")[0],
                               password=password, role=role)
            typer.echo(f"Created user {user.id} {user.email} ({user.role}).")
    except DomainError as exc:
        detail = "; ".join(e["message"] for e in exc.errors) or exc.detail
        typer.echo(f"Error: {exc.detail} {detail if detail != exc.detail else ''}".strip(), err=True)
        raise typer.Exit(2) from exc


@jobs_app.command("list")
def jobs_list(as_json: Annotated[bool, typer.Option("--json", help="As JSON: name, cron, description")]
              = False) -> None:
    """List registered jobs and their schedules."""
    from coachway.core.jobs import jobs_as_json, load_all

    if as_json:
        typer.echo(jobs_as_json(), nl=False)
        return
    for j in load_all().values():
        typer.echo(f"{j.name:40} {j.cron or '-':15} {j.description}")


@jobs_app.command("export-airflow")
def jobs_export_airflow(output: Annotated[str, typer.Option(help="The JSON file the DAG file reads")] =
                        "deploy/airflow/dags/coachway_jobs.json") -> None:
    """Write the job list that deploy/airflow/dags builds one DAG per job from."""
    from pathlib import Path

    from coachway.core.jobs import jobs_as_json

    Path(output).write_text(jobs_as_json())
    typer.echo(f"Wrote {output}.")


@jobs_app.command("run")
def jobs_run(name: str) -> None:
    """Run one job now."""
    from coachway.core.jobs import UnknownJob, run_job

    logging.basicConfig(level=logging.INFO)
    try:
        result = run_job(name)
    except UnknownJob as exc:
        typer.echo(f"No job named {name!r}. See `coachway jobs list`.", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{name}: {result}")


@app.command()
def worker(poll: Annotated[float, typer.Option(help="Seconds to sleep when idle")] = 1.0,
           once: Annotated[bool, typer.Option(help="Deliver what is due, then exit")] = False) -> None:
    """Deliver outbox messages (email, SMS, sync) with retries and backoff."""
    from coachway.core.outbox import deliver_due, run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if once:
        typer.echo(f"Delivered {deliver_due()} message(s).")
        return
    run_worker(poll_seconds=poll)


@app.command()
def scheduler() -> None:
    """Run scheduled jobs on their cron schedules (one machine; use Airflow at scale)."""
    from coachway.core.jobs import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_scheduler()


if __name__ == "__main__":
    app()
