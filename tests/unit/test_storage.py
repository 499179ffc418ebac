"""Content-addressed storage: the local directory (default) and S3 (against moto's in-process fake AWS)."""

import boto3
import pytest
from moto import mock_aws

from coachway.config import get_settings
from coachway.integrations import storage
from coachway.integrations.storage import (
    ContentMismatch,
    LocalStorage,
    ObjectMissing,
    S3Storage,
    content_key,
    get_storage,
    sha256_of,
)

DATA = b"%PDF-1.4\nCharter agreement\n"
KEY = content_key(DATA)


def test_content_key_is_the_sha256_sharded_by_its_first_four_digits():
    digest = sha256_of(DATA)
    assert KEY == f"{digest[:2]}/{digest[2:4]}/{digest}"


# ---------------------------------------------------------------- local directory

def test_local_put_then_get_returns_the_same_bytes(tmp_path):
    store = LocalStorage(tmp_path)
    assert store.put(KEY, DATA) is True
    assert store.get(KEY) == DATA and store.exists(KEY)
    assert (tmp_path / KEY).read_bytes() == DATA


def test_local_put_of_the_same_content_again_stores_nothing_new(tmp_path):
    store = LocalStorage(tmp_path)
    store.put(KEY, DATA)
    assert store.put(KEY, DATA) is False
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / KEY]


def test_local_put_leaves_no_temporary_file_behind(tmp_path):
    LocalStorage(tmp_path).put(KEY, DATA)
    assert not [p for p in tmp_path.rglob(".upload-*")]


def test_local_put_under_a_key_that_is_not_the_contents_hash_is_refused(tmp_path):
    with pytest.raises(ContentMismatch):
        LocalStorage(tmp_path).put(content_key(b"other"), DATA)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab/cd/../../x", "/etc/passwd", KEY.upper(),
                                 "00/00/" + sha256_of(DATA), sha256_of(DATA)])
def test_local_storage_refuses_keys_that_are_not_content_keys(tmp_path, key):
    store = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        store.get(key)
    with pytest.raises(ValueError):
        store.exists(key)


def test_local_get_of_missing_content_says_so(tmp_path):
    with pytest.raises(ObjectMissing):
        LocalStorage(tmp_path).get(KEY)


def test_local_get_notices_bytes_changed_on_disk(tmp_path):
    store = LocalStorage(tmp_path)
    store.put(KEY, DATA)
    (tmp_path / KEY).write_bytes(b"tampered")
    with pytest.raises(ContentMismatch):
        store.get(KEY)


def test_local_delete_removes_the_file_and_tolerates_a_second_delete(tmp_path):
    store = LocalStorage(tmp_path)
    store.put(KEY, DATA)
    store.delete(KEY)
    store.delete(KEY)
    assert not store.exists(KEY)


# ---------------------------------------------------------------- S3

@pytest.fixture
def s3(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="coachway-docs")
        yield client


def test_s3_put_then_get_returns_the_same_bytes_under_the_prefix(s3):
    store = S3Storage("coachway-docs", prefix="documents", region="us-east-1")
    assert store.put(KEY, DATA) is True
    assert store.get(KEY) == DATA and store.exists(KEY)
    names = [o["Key"] for o in s3.list_objects_v2(Bucket="coachway-docs")["Contents"]]
    assert names == [f"documents/{KEY}"]


def test_s3_put_of_the_same_content_again_uploads_nothing(s3):
    store = S3Storage("coachway-docs", region="us-east-1")
    store.put(KEY, DATA)
    assert store.put(KEY, DATA) is False
    assert s3.list_objects_v2(Bucket="coachway-docs")["KeyCount"] == 1


def test_s3_missing_object_and_delete(s3):
    store = S3Storage("coachway-docs", region="us-east-1")
    assert store.exists(KEY) is False
    with pytest.raises(ObjectMissing):
        store.get(KEY)
    store.put(KEY, DATA)
    store.delete(KEY)
    assert store.exists(KEY) is False


def test_s3_get_notices_an_object_replaced_in_the_bucket(s3):
    store = S3Storage("coachway-docs", region="us-east-1")
    store.put(KEY, DATA)
    s3.put_object(Bucket="coachway-docs", Key=KEY, Body=b"tampered")
    with pytest.raises(ContentMismatch):
        store.get(KEY)


def test_s3_storage_needs_a_bucket():
    with pytest.raises(ValueError):
        S3Storage("")


# ---------------------------------------------------------------- choosing by settings

@pytest.fixture
def fresh_settings(monkeypatch):
    yield monkeypatch
    get_settings.cache_clear()
    storage._storage.cache_clear()


def test_settings_choose_local_storage_under_the_storage_dir_by_default(fresh_settings, tmp_path):
    fresh_settings.setenv("COACHWAY_STORAGE_DIR", str(tmp_path))
    get_settings.cache_clear()
    store = get_storage()
    assert isinstance(store, LocalStorage) and store.root == tmp_path / "documents"


def test_settings_choose_s3_with_bucket_prefix_and_endpoint(fresh_settings, s3):
    fresh_settings.setenv("COACHWAY_STORAGE_BACKEND", "s3")
    fresh_settings.setenv("COACHWAY_S3_BUCKET", "coachway-docs")
    fresh_settings.setenv("COACHWAY_S3_PREFIX", "tenant-a/")
    fresh_settings.setenv("COACHWAY_S3_REGION", "us-east-1")
    get_settings.cache_clear()
    store = get_storage()
    assert isinstance(store, S3Storage) and store.prefix == "tenant-a/"
    store.put(KEY, DATA)
    assert s3.get_object(Bucket="coachway-docs", Key=f"tenant-a/{KEY}")["Body"].read() == DATA


def test_an_unknown_backend_is_a_configuration_error(fresh_settings):
    fresh_settings.setenv("COACHWAY_STORAGE_BACKEND", "ftp")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="unknown storage backend"):
        get_storage()
