"""Request and response models of sign-in, users and roles."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from coachway.core.fields import Line, Phone, RefId

Password = Field(min_length=10, max_length=200)
Name = Line(200, 1)


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class MfaRequired(BaseModel):
    mfa_required: bool = True
    mfa_token: str


class MfaVerifyRequest(BaseModel):
    mfa_token: str = Field(min_length=10, max_length=200)
    code: str = Field(min_length=6, max_length=32)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetConfirm(BaseModel):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Password


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Password


class MfaSetupRead(BaseModel):
    secret: str
    provisioning_uri: str


class MfaCode(BaseModel):
    code: str = Field(min_length=6, max_length=32)


class RecoveryCodes(BaseModel):
    recovery_codes: list[str]


class Message(BaseModel):
    detail: str


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    phone: str | None
    role: str
    is_active: bool
    client_id: int | None
    hub_id: int | None
    cdl_number: str | None = None
    cdl_expiry: date | None = None
    mfa_enabled: bool
    last_login_at: datetime | None
    created_at: datetime


class MeRead(UserRead):
    permissions: list[str]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    full_name: Name
    password: str = Password
    role: str = Field(min_length=1, max_length=50)
    phone: Phone | None = None
    client_id: RefId | None = None
    hub_id: RefId | None = None
    cdl_number: Line(50) | None = None
    cdl_expiry: date | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    role: str | None = Field(default=None, min_length=1, max_length=50)
    phone: Phone | None = None
    is_active: bool | None = None
    client_id: RefId | None = None
    hub_id: RefId | None = None
    cdl_number: Line(50) | None = None
    cdl_expiry: date | None = None


class RoleRead(BaseModel):
    name: str
    description: str
    is_system: bool
    permissions: list[str]
    user_count: int = 0


class RoleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=50, pattern=r"^[a-z][a-z0-9_]*$")
    description: Line(255) = ""
    permissions: list[str] = Field(default_factory=list, max_length=500)


class RolePermissionsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    permissions: list[str] = Field(max_length=500)
    description: Line(255) | None = None


class PermissionRead(BaseModel):
    name: str
    description: str


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    entity_type: str
    entity_id: str
    action: str
    actor_id: int | None
    old_values: dict | None
    new_values: dict | None
    ip_address: str | None
    created_at: datetime


class OutboxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    topic: str
    payload: dict
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
