"""Schemathesis over the whole API (from its /openapi.json): no input, however odd, gets a server error.

Runs in-process against the ASGI app, signed in as an admin so that every operation is reached, with a
bounded, derandomized number of examples per operation so the run is repeatable and quick.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from coachway.app import create_app
from tests.factories import user_headers

# A deeper hunt by hand: COACHWAY_SCHEMATHESIS_EXAMPLES=300 pytest tests/api/test_schemathesis.py
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
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error, response_schema_conformance])
