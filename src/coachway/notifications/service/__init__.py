"""Notifications: templates, sending (with preferences and tracking), history and clients' email preferences.

One module per concern; everything callers use is re-exported here, so other domains write
`from coachway.notifications import service` and call `service.send(...)`.
"""

from coachway.notifications.service.history import (
    DELIVERY_STATUSES,
    NotificationView,
    get_notification,
    lead_engagement,
    list_notifications,
    users_sent_since,
)
from coachway.notifications.service.preferences import (
    CATEGORY_FLAGS,
    CLIENT_FLAGS,
    PREFERENCE_FIELDS,
    Preferences,
    get_preferences,
    suppression_reason,
    update_preferences,
)
from coachway.notifications.service.sending import HIDDEN_BODY, NOT_BY_HAND, send, send_notification
from coachway.notifications.service.templates import (
    check_renders,
    get_template,
    is_enabled,
    is_required,
    list_templates,
    preview_template,
    template_for_sending,
    update_template,
)
from coachway.notifications.templates_seed import seed_default_templates
from coachway.notifications.tracking import PIXEL_GIF, record_click, record_open

__all__ = [
    # sending
    "HIDDEN_BODY", "NOT_BY_HAND", "send", "send_notification",
    # history
    "DELIVERY_STATUSES", "NotificationView", "get_notification", "lead_engagement",
    "list_notifications", "users_sent_since",
    # templates
    "check_renders", "get_template", "is_enabled", "is_required", "list_templates", "preview_template",
    "seed_default_templates", "template_for_sending", "update_template",
    # preferences
    "CATEGORY_FLAGS", "CLIENT_FLAGS", "PREFERENCE_FIELDS", "Preferences", "get_preferences",
    "suppression_reason", "update_preferences",
    # tracking
    "PIXEL_GIF", "record_click", "record_open",
]
