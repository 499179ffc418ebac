"""Settings read from the environment (prefix COACHWAY_) or a .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Everything configurable about one CoachWay installation."""

    model_config = SettingsConfigDict(env_prefix="COACHWAY_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'coachway.db'}"
    secret_key: str = "dev-only-change-me-in-production-0123456789abcdef"
    storage_dir: Path = REPO_ROOT / "var" / "storage"
    base_url: str = "http://127.0.0.1:8000"
    # Who the company is, as printed on quotes and other documents clients receive.
    company_name: str = "CoachWay Charters"
    company_address: str = "100 Peachtree St NW, Atlanta, GA 30303"
    company_phone: str = "(404) 555-0100"
    company_email: str = "quotes@coachway.example"
    # The company's own day: "today" for sales figures and lead caps when a lead names no hub.
    company_timezone: str = "America/New_York"
    # The public quote calculator (/quote): estimates and submissions allowed per client address, in the
    # `limits` notation, and where the counts live (memory:// for one process; redis://host:6379 when
    # several processes or machines serve the site, so that they share one count).
    public_quote_rate_limit: str = "20/minute;200/hour"
    public_lead_rate_limit: str = "5/minute;20/day"
    rate_limit_storage: str = "memory://"
    # When true, session cookies are marked Secure (serve behind HTTPS).
    secure_cookies: bool = False

    # argon2id cost (RFC 9106 second recommendation: t=3, 64 MiB). Tests lower it to stay fast.
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 65536

    access_token_minutes: int = 30
    refresh_token_days: int = 14
    web_session_hours: int = 12
    password_reset_minutes: int = 30

    # Sign-in throttling: this many failures within the window locks the account (or IP) for lockout_minutes.
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 20
    login_failure_window_minutes: int = 15
    login_lockout_minutes: int = 15

    # email: "outbox" keeps messages viewable in admin; "smtp" delivers through smtp_host; "sendgrid" below.
    email_backend: str = "outbox"
    email_from: str = "CoachWay <no-reply@coachway.local>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False

    # email "sendgrid" delivers through SendGrid's API with this key.
    sendgrid_api_key: str | None = None
    sendgrid_api_host: str = "https://api.sendgrid.com"

    # Card payments through Stripe: without a secret key cards are unavailable (everything else works).
    stripe_secret_key: str | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_webhook_tolerance: int = 300  # seconds a webhook signature stays valid
    stripe_api_base: str | None = None  # e.g. a stripe-mock server; None means Stripe itself

    # PostgreSQL work_mem of a financial report's transaction, so its sorts stay in memory (default 4MB).
    report_work_mem: str = Field(default="64MB", pattern=r"^[0-9]{1,6}(kB|MB|GB)$")

    # SMS: "outbox" keeps texts viewable in admin; "twilio" sends through Twilio.
    sms_backend: str = "outbox"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None

    # Documents: "local" keeps files under storage_dir; "s3" uses an S3-compatible bucket (boto3 reads
    # credentials from the usual AWS environment variables or instance role).
    storage_backend: str = "local"
    s3_bucket: str | None = None
    s3_prefix: str = "documents/"
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    document_max_bytes: int = 25 * 1024 * 1024
    # Content types accepted for upload, as sniffed from the bytes (not as claimed by the browser).
    document_allowed_types: list[str] = [
        "application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "text/plain",
        "text/csv", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword",
        "application/vnd.ms-excel",
    ]

    # Geocoding: "offline" resolves US cities, "City, ST" and ZIP codes from package data; "nominatim"
    # (OpenStreetMap, needs geocoder_user_agent) and "google" (needs geocoder_api_key) go through geopy.
    geocoder_backend: str = "offline"
    geocoder_api_key: str | None = None
    geocoder_user_agent: str = "coachway"
    geocoder_timeout_seconds: float = 10.0
    # Road miles are great-circle miles times this factor.
    road_factor: float = 1.2
    # Average coach speeds (mph): legs up to city_leg_max_miles run at city speed, longer ones at highway.
    city_speed_mph: float = 30.0
    highway_speed_mph: float = 55.0
    city_leg_max_miles: float = 25.0
    # Minutes of on-duty, not-driving time a driver spends before departure and after return (pre-trip
    # inspection, fuelling, cleaning), counted by the hours-of-service check.
    pre_trip_minutes: int = 30
    post_trip_minutes: int = 15

    outbox_max_attempts: int = 6
    outbox_backoff_seconds: int = 30


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache to change them)."""
    return Settings()
