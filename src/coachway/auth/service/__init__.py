"""Sign-in, sessions, password reset, MFA, users and roles: the rules API and pages share."""

# One module per concern; everything callers use is re-exported here, so `service.login(...)` and
# `from coachway.auth.service import X` read as before. Code inside the package imports from the module
# that owns a name, so patch a name there, not here.
from coachway.auth.service._common import SENSITIVE
from coachway.auth.service.admin import (
    HIDDEN_BODY,
    OUTBOX_FIELDS,
    get_outbox,
    list_audit,
    list_outbox,
    outbox_view,
    resend_outbox,
)
from coachway.auth.service.catalog import actor_for, permissions_of, sync_permissions
from coachway.auth.service.mfa import (
    RECOVERY_CODE_COUNT,
    disable_mfa,
    enable_mfa,
    regenerate_recovery_codes,
    start_mfa_setup,
)
from coachway.auth.service.passwords import (
    RESET_MAILS_PER_HOUR,
    WEAK_PASSWORDS,
    change_password,
    request_password_reset,
    reset_password,
)
from coachway.auth.service.roles import (
    create_role,
    get_role,
    list_permissions,
    list_roles,
    set_role_permissions,
)
from coachway.auth.service.sessions import (
    CHALLENGE_ENDED,
    MFA_CHALLENGE_MINUTES,
    MFA_MAX_ATTEMPTS,
    SESSION_ENDED,
    WRONG_CREDENTIALS,
    MfaPending,
    Tokens,
    _revoke_all,
    authenticate,
    login,
    logout,
    me,
    refresh,
    verify_mfa,
)
from coachway.auth.service.throttle import _lock_end
from coachway.auth.service.users import (
    DRIVER_PROFILE_FIELDS,
    USER_AUDIT_FIELDS,
    USER_UPDATE_FIELDS,
    create_user,
    deactivate_portal_users,
    find_driver,
    get_user,
    list_drivers,
    list_users,
    update_driver_profile,
    update_user,
    user_names,
    users_by_ids,
    users_by_role,
)

__all__ = [
    # catalog
    "actor_for", "permissions_of", "sync_permissions",
    # sign-in and sessions
    "CHALLENGE_ENDED", "MFA_CHALLENGE_MINUTES", "MFA_MAX_ATTEMPTS", "SESSION_ENDED", "WRONG_CREDENTIALS",
    "MfaPending", "Tokens", "authenticate", "login", "logout", "me", "refresh", "verify_mfa",
    "_revoke_all",  # tests sign a user out everywhere with it
    # throttling
    "_lock_end",  # unit-tested on its own
    # passwords
    "RESET_MAILS_PER_HOUR", "SENSITIVE", "WEAK_PASSWORDS", "change_password", "request_password_reset",
    "reset_password",
    # MFA
    "RECOVERY_CODE_COUNT", "disable_mfa", "enable_mfa", "regenerate_recovery_codes", "start_mfa_setup",
    # users, drivers for fleet, names
    "DRIVER_PROFILE_FIELDS", "USER_AUDIT_FIELDS", "USER_UPDATE_FIELDS", "create_user", "find_driver",
    "get_user", "list_drivers", "list_users", "update_driver_profile", "update_user", "user_names",
    "deactivate_portal_users",
    "users_by_ids", "users_by_role",
    # roles
    "create_role", "get_role", "list_permissions", "list_roles", "set_role_permissions",
    # audit log and outbox (admin)
    "HIDDEN_BODY", "OUTBOX_FIELDS", "get_outbox", "list_audit", "list_outbox", "outbox_view", "resend_outbox",
]
