"""File storage addressed by content: a local directory (the offline default) or an S3-compatible bucket.

An object's key is derived from the SHA-256 of its bytes (`ab/cd/<sha256>`), so the same file uploaded twice
is stored once, a key can never be chosen by a user (no file name ever becomes a path), and every read can
check that the bytes are still the ones that were stored. `get_storage()` returns the backend that the
settings choose (`storage_backend`: "local" or "s3").
"""

import base64
import hashlib
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from coachway.config import get_settings

KEY_PATTERN = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")
BACKENDS = ("local", "s3")


class StorageError(Exception):
    """The storage could not do what was asked (a server-side problem, never the caller's input)."""


class ObjectMissing(StorageError):
    """No object is stored under the key."""


class ContentMismatch(StorageError):
    """The bytes under a key are not the ones whose hash the key names (corrupted, or tampered with)."""


def sha256_of(data: bytes) -> str:
    """The SHA-256 of data, as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def key_for(sha256: str) -> str:
    """The storage key of the content with this SHA-256: `ab/cd/<sha256>`."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def content_key(data: bytes) -> str:
    """The storage key of these bytes."""
    return key_for(sha256_of(data))


def check_key(key: str) -> str:
    """key, if it is a well-formed content key (two shard levels that match the hash); else ValueError."""
    match = KEY_PATTERN.match(key)
    if not match or not match.group(3).startswith(match.group(1) + match.group(2)):
        raise ValueError(f"not a content key: {key!r}")
    return key


def _verified(key: str, data: bytes) -> bytes:
    if content_key(data) != key:
        raise ContentMismatch(f"the object under {key} does not have that content any more")
    return data


class Storage(Protocol):
    """Where document bytes live. Keys come from content_key(); put() of a key already stored is a no-op."""

    def put(self, key: str, data: bytes) -> bool:
        """Store data under key (which must be content_key(data)); True if it was not stored before."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under key, checked against the key's hash; ObjectMissing if there are none."""
        ...

    def exists(self, key: str) -> bool:
        """True if something is stored under key."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object under key (nothing happens if there is none)."""
        ...


class LocalStorage:
    """Objects as files under one directory, sharded `ab/cd/<sha256>`, written atomically."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> bool:
        """Write to a temporary file beside the target, flush it to disk, then rename it into place."""
        path = self._path(key)
        _verified(key, data)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            # Same content under the same name: a concurrent writer of the same file loses nothing.
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def get(self, key: str) -> bytes:
        """The file's bytes, checked against the key's hash."""
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(f"nothing is stored under {key}") from None
        return _verified(key, data)

    def exists(self, key: str) -> bool:
        """True if the file is there."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file, if any."""
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3 bucket (AWS or any S3-compatible server), under an optional key prefix."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, client=None):
        import boto3

        if not bucket:
            raise ValueError("S3 storage needs a bucket (COACHWAY_S3_BUCKET)")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None,
                                             region_name=region or None)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _is_missing(self, exc: Exception) -> bool:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, key: str, data: bytes) -> bool:
        """Upload the object unless it is already there; S3 checks the SHA-256 on arrival."""
        _verified(key, data)
        if self.exists(key):
            return False
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                               ContentType="application/octet-stream", ChecksumSHA256=checksum)
        return True

    def get(self, key: str) -> bytes:
        """The object's bytes, checked against the key's hash."""
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as exc:
            if self._is_missing(exc):
                raise ObjectMissing(f"nothing is stored under {key}") from None
            raise
        with body:
            return _verified(key, body.read())

    def exists(self, key: str) -> bool:
        """True if the bucket holds the object."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if self._is_missing(exc):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        """Remove the object (S3 answers the same whether or not it was there)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))


@lru_cache(maxsize=4)
def _storage(backend: str, storage_dir: str, bucket: str | None, prefix: str, endpoint_url: str | None,
             region: str | None) -> Storage:
    if backend == "local":
        return LocalStorage(Path(storage_dir) / "documents")
    if backend == "s3":
        return S3Storage(bucket or "", prefix=prefix, endpoint_url=endpoint_url, region=region)
    raise ValueError(f"unknown storage backend {backend!r}: use one of {', '.join(BACKENDS)}")


def get_storage() -> Storage:
    """The storage the settings choose (one instance per distinct configuration)."""
    s = get_settings()
    return _storage(s.storage_backend, str(s.storage_dir), s.s3_bucket, s.s3_prefix, s.s3_endpoint_url,
                    s.s3_region)
