"""What e2e tests do often: sign in through the form, save a screenshot to look at."""

from pathlib import Path

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def screenshot(tab, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/e2e/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def sign_in(tab, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form."""
    tab.goto("/login")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(password)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Sign in").click()
