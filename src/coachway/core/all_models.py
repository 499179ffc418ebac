"""Imports every domain's models so the metadata is complete (Alembic, tests)."""

from coachway.auth import models as auth_models  # noqa: F401
from coachway.charters import models as charters_models  # noqa: F401
from coachway.clients import models as clients_models  # noqa: F401
from coachway.core import models as core_models  # noqa: F401
from coachway.core.db import Base
from coachway.documents import models as documents_models  # noqa: F401
from coachway.fleet import models as fleet_models  # noqa: F401
from coachway.notifications import models as notifications_models  # noqa: F401
from coachway.payments import models as payments_models  # noqa: F401
from coachway.pricing import models as pricing_models  # noqa: F401
from coachway.sales import models as sales_models  # noqa: F401

metadata = Base.metadata
