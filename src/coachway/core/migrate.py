"""Bring a database to the newest schema, sync the permission catalog and add missing default data."""

from alembic import command
from alembic.config import Config

from coachway.config import REPO_ROOT


def alembic_config(database_url: str | None = None) -> Config:
    """The Alembic configuration of this repository, optionally for another database."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str | None = None) -> None:
    """Run every pending migration, then add any new permissions with their default grants and any shipped
    message template not yet in the database (templates admins edited are left alone), and the DOT
    hours-of-service rules when that table is empty, and the pricing policy and default payment terms when
    missing."""
    command.upgrade(alembic_config(database_url), "head")
    from sqlalchemy.orm import Session

    from coachway.auth.service import sync_permissions
    from coachway.charters.service import seed_dot_regulations
    from coachway.config import get_settings
    from coachway.core.db import make_engine
    from coachway.notifications.templates_seed import seed_default_templates
    from coachway.pricing.service import seed_pricing_defaults

    engine = make_engine(database_url or get_settings().database_url)
    with Session(engine) as session:
        sync_permissions(session)
        seed_default_templates(session)
        seed_dot_regulations(session)
        seed_pricing_defaults(session)
        session.commit()
    engine.dispose()
