"""Schemathesis over the whole API (from its /openapi.json): no input, however odd, gets a server error.

Runs in-process against the ASGI app, signed in as an admin so that every operation is reached, with a
bounded, derandomized number of examples per operation so the run is repeatable and quick.
"""

import os

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.exc import DataError

from coachway.app import create_app
from coachway.core.errors import install_error_handlers
from tests.factories import user_headers

# A deeper hunt by hand: COACHWAY_SCHEMATHESIS_EXAMPLES=300 pytest tests/api/test_schemathesis.py
# Besides "no 5xx": every answer has a documented status and content type and matches its schema
# (errors included: they are documented as problem details).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = int(os.environ.get("COACHWAY_SCHEMATHESIS_EXAMPLES", "20"))


@pytest.fixture
def admin_headers(client):
    return user_headers(client, "admin")


# The schema is read from a module-level app (building it touches no database); each request goes to
# that app in-process, on the test database the fixtures set up.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


# Signing out would end the session the rest of the run uses; it has its own tests.
@schema.exclude(path="/api/v1/auth/logout").parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


def _app_refusing(orig: Exception) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/store")
    def store():
        raise DataError("INSERT ...", {}, orig)

    return TestClient(app, raise_server_exceptions=False)


def test_value_the_database_cannot_store_is_a_422_problem():
    r = _app_refusing(ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes")).get("/store")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_other_database_data_errors_stay_server_errors():
    r = _app_refusing(ValueError("division by zero")).get("/store")
    assert r.status_code == 500 and r.json()["title"] == "Server error"
