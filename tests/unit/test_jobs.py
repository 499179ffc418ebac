"""The job registry, `coachway jobs ...`, the scheduler's wiring and the job list Airflow reads."""

import ast
import json
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from typer.testing import CliRunner

from coachway.cli import app
from coachway.core import db, jobs, outbox
from coachway.core.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "deploy" / "airflow" / "dags"
runner = CliRunner()


@pytest.fixture
def private_registry(monkeypatch):
    """Jobs registered by the test vanish after it."""
    jobs.load_all()
    monkeypatch.setattr(jobs, "_registry", dict(jobs._registry))


def test_jobs_list_shows_every_registered_job_with_its_schedule():
    result = runner.invoke(app, ["jobs", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "* * * * *" in lines["outbox.deliver"]
    assert "17 3 * * *" in lines["auth.purge_expired"]


def test_jobs_list_as_json_gives_name_cron_and_description():
    result = runner.invoke(app, ["jobs", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = {j["name"]: j for j in json.loads(result.output)["jobs"]}
    assert listed["outbox.deliver"]["cron"] == "* * * * *"
    assert listed["outbox.deliver"]["description"].startswith("Deliver every due outbox message")


def test_jobs_run_outbox_deliver_sends_what_is_due():
    with db.transaction() as s:
        message_id = outbox.enqueue(s, "email.send", {"to": "pat@example.com", "subject": "Hi",
                                                      "text": "Hello"}).id
    result = runner.invoke(app, ["jobs", "run", "outbox.deliver"])
    assert result.exit_code == 0, result.output
    assert "outbox.deliver: 1" in result.output
    with db.transaction() as s:
        assert s.get(OutboxMessage, message_id).status == "sent"


def test_jobs_run_of_an_unknown_job_exits_2_and_says_so():
    result = runner.invoke(app, ["jobs", "run", "fleet.teleport"])
    assert result.exit_code == 2
    assert "No job named 'fleet.teleport'" in result.output


def test_job_that_raises_key_error_is_not_reported_as_unknown(private_registry):
    @jobs.job("test.broken")
    def broken():
        """Fails inside."""
        return {}["missing"]

    result = runner.invoke(app, ["jobs", "run", "test.broken"])
    assert result.exit_code == 1
    assert "No job named" not in result.output
    assert isinstance(result.exception, KeyError)


def test_job_names_must_be_dotted_lower_case_words():
    with pytest.raises(ValueError, match="dotted lower-case words"):
        jobs.job("Purge Everything")


def test_cron_with_the_wrong_number_of_fields_is_refused_at_registration():
    with pytest.raises(ValueError, match="five fields"):
        jobs.job("test.bad_cron", cron="0 3 * *")


def test_cron_with_a_bad_field_is_refused_at_registration():
    with pytest.raises(ValueError):
        jobs.job("test.bad_cron", cron="0 25 * * *")


def test_cron_with_numbered_weekdays_is_refused_because_apscheduler_counts_them_differently():
    with pytest.raises(ValueError, match="weekdays as names"):
        jobs.job("test.weekdays", cron="0 9 * * 1-5")


def test_every_domain_jobs_module_is_loaded():
    modules = jobs.job_modules()
    assert modules[0] == "coachway.core.core_jobs"
    assert "coachway.auth.jobs" in modules
    assert "coachway.core.jobs" not in modules


def test_scheduler_holds_each_scheduled_job_on_its_cron_trigger(private_registry):
    @jobs.job("test.weekday_mornings", cron="30 7 * * mon-fri")
    def weekday_mornings():
        """Scheduled on weekdays."""

    @jobs.job("test.by_hand")
    def by_hand():
        """Never scheduled."""

    scheduler = jobs.build_scheduler()
    scheduled = {j.id: j for j in scheduler.get_jobs()}
    assert set(scheduled) == {name for name, j in jobs.load_all().items() if j.cron}
    assert "test.by_hand" not in scheduled
    mornings = scheduled["test.weekday_mornings"]
    assert mornings.func is weekday_mornings
    assert isinstance(mornings.trigger, CronTrigger)
    assert str(mornings.trigger) == "cron[month='*', day='*', day_of_week='mon-fri', hour='7', minute='30']"
    assert (mornings.max_instances, mornings.coalesce) == (1, True)
    assert str(scheduled["outbox.deliver"].trigger.timezone) == "UTC"


def test_scheduler_runs_a_weekday_job_on_the_weekdays_cron_means():
    from datetime import UTC, datetime

    trigger = CronTrigger.from_crontab("30 7 * * mon-fri", timezone="UTC")
    saturday_noon = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, saturday_noon) == datetime(2030, 6, 3, 7, 30, tzinfo=UTC)


def test_airflow_job_list_is_up_to_date_with_the_registry():
    committed = (DAGS / "coachway_jobs.json").read_text()
    assert committed == jobs.jobs_as_json(), (
        "deploy/airflow/dags/coachway_jobs.json is stale: run `coachway jobs export-airflow`")


def test_export_airflow_writes_the_job_list(tmp_path):
    target = tmp_path / "jobs.json"
    result = runner.invoke(app, ["jobs", "export-airflow", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text()) == json.loads(jobs.jobs_as_json())


def test_airflow_dag_file_never_imports_coachway():
    tree = ast.parse((DAGS / "coachway_jobs.py").read_text())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "coachway"]
