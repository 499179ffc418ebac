"""One Airflow DAG per CoachWay job: `coachway__<job name>`, whose one task runs `coachway jobs run NAME`.

Airflow never imports CoachWay. The jobs come from coachway_jobs.json beside this file, written by
`coachway jobs export-airflow` (a test fails when it falls behind the code), and each task calls the
`coachway` command on the Airflow worker, which needs:
- `coachway` on PATH, or COACHWAY_BIN set to its full path (e.g. /opt/coachway/.venv/bin/coachway);
- the same COACHWAY_* settings as the web servers, COACHWAY_DATABASE_URL above all.
Schedules are five-field cron in UTC, as `coachway scheduler` reads them; run one or the other, not both.
"""

import json
import shlex
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.bash import BashOperator

JOBS_FILE = Path(__file__).with_name("coachway_jobs.json")
DAG_PREFIX = "coachway__"

DEFAULT_ARGS = {
    "owner": "coachway",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=1),
}


def dag_id_for(job_name: str) -> str:
    """The DAG id of a job: job names are dotted lower-case words, all valid in a DAG id."""
    return f"{DAG_PREFIX}{job_name}"


def build_dag(job: dict) -> DAG:
    """The DAG running one job on its cron schedule (or only when triggered, for a job without one)."""
    name = job["name"]
    with DAG(
        dag_id=dag_id_for(name),
        description=job["description"],
        schedule=job["cron"],
        start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),  # noqa: UP017 - Airflow's Python may be 3.10
        catchup=False,  # a job does the work that is due now; missed runs are not replayed
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["coachway"],
        doc_md=f"Runs `coachway jobs run {name}`: {job['description']}",
    ) as dag:
        BashOperator(
            task_id="run",
            # Expanded by bash on the worker, so COACHWAY_BIN is the worker's, not the DAG processor's.
            bash_command=f'"${{COACHWAY_BIN:-coachway}}" jobs run {shlex.quote(name)}',
        )
    return dag


for _job in json.loads(JOBS_FILE.read_text())["jobs"]:
    _dag = build_dag(_job)
    globals()[_dag.dag_id] = _dag
