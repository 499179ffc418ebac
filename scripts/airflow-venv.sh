#!/usr/bin/env bash
# Builds .venv-airflow: Apache Airflow alone, in its own virtualenv, for the DAG test and for trying
# deploy/airflow/dags locally. Airflow never imports CoachWay; its tasks call the `coachway` command.
# Idempotent: a venv already holding this version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
AIRFLOW_VERSION="${AIRFLOW_VERSION:-3.3.2}"
VENV="${AIRFLOW_VENV:-.venv-airflow}"
STAMP="$VENV/.airflow-$AIRFLOW_VERSION"
PYTHON="${PYTHON:-python3}"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/airflow" ]; then
  exit 0
fi
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "apache-airflow==$AIRFLOW_VERSION"
touch "$STAMP"
echo "Apache Airflow $AIRFLOW_VERSION installed in $VENV"
