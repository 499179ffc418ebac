"""What several auth service modules share: email normalizing and the outbox flag for secret bodies."""

# Payload flag of an outbox message whose body holds a secret (a reset link): hidden in the outbox viewer.
SENSITIVE = "sensitive"


def _normalize_email(email: str) -> str:
    return email.strip().lower()
