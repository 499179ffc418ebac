"""Demo data: a believable small charter company, or N times more of it for benchmarks."""

from sqlalchemy import func, select

from coachway.auth.models import User
from coachway.auth.service import create_user
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM

DEMO_PASSWORD = "coachway-demo"
STAFF = [
    ("admin", "admin@coachway.demo", "Avery Admin"),
    ("manager", "manager@coachway.demo", "Morgan Manager"),
    ("sales_agent", "sales@coachway.demo", "Sam Sales"),
    ("sales_support", "support@coachway.demo", "Sasha Support"),
    ("dispatcher", "dispatch@coachway.demo", "Dana Dispatch"),
    ("accounting", "accounting@coachway.demo", "Alex Accounts"),
]


def load(*, scale: int = 1, only_if_empty: bool = False) -> bool:
    """Create the demo company; False when only_if_empty and data already exists."""
    with transaction() as session:
        if only_if_empty and (session.scalar(select(func.count()).select_from(User)) or 0) > 0:
            return False
        for role, email, name in STAFF:
            create_user(session, SYSTEM, email=email, full_name=name, password=DEMO_PASSWORD, role=role)
    return True


def sign_in_help() -> str:
    """The demo sign-ins, for printing."""
    lines = ["Demo sign-ins (password: %s):" % DEMO_PASSWORD]
    lines += [f"  {role:14} {email}" for role, email, _ in STAFF]
    return "\n".join(lines)
