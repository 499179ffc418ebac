"""The `coachway` command line."""

from typer.testing import CliRunner

from coachway.cli import app
from tests.factories import login

runner = CliRunner()


def test_users_create_makes_a_user_who_can_sign_in(client):
    result = runner.invoke(app, ["users", "create", "--email", "Pat@Example.com", "--password",
                                 "long-enough-pass", "--role", "dispatcher", "--name", "Pat Dispatch"])
    assert result.exit_code == 0, result.output
    assert "pat@example.com (dispatcher)" in result.output
    headers = login(client, "pat@example.com", "long-enough-pass")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["full_name"] == "Pat Dispatch" and me["role"] == "dispatcher"


def test_users_create_with_unknown_role_fails_clearly(client):
    result = runner.invoke(app, ["users", "create", "--email", "x@example.com", "--password",
                                 "long-enough-pass", "--role", "pilot"])
    assert result.exit_code == 2
    assert "no role named 'pilot'" in result.output


def test_users_create_twice_is_refused(client):
    args = ["users", "create", "--email", "twice@example.com", "--password", "long-enough-pass",
            "--role", "admin"]
    assert runner.invoke(app, args).exit_code == 0
    second = runner.invoke(app, args)
    assert second.exit_code == 2
    assert "already exists" in second.output


def test_users_create_with_short_password_is_refused(client):
    result = runner.invoke(app, ["users", "create", "--email", "short@example.com", "--password", "short",
                                 "--role", "admin"])
    assert result.exit_code == 2
    assert "at least 10 characters" in result.output


def test_serve_rejects_an_unknown_service():
    result = runner.invoke(app, ["serve", "--service", "teleport"])
    assert result.exit_code != 0
    assert "unknown service" in result.output
