"""Where the portal keeps the files it makes: the local disk, or S3-compatible object storage
when S3_BUCKET is set (config/settings.py; README "Files and storage")."""

import json

from django.core.files.storage import FileSystemStorage
from django.test import override_settings

from portal.files import signed_url, storage_is_s3
from tests.portal.test_security import run_python

SHOW = "import json, config.settings as s; print(json.dumps(s.STORAGES['default']))"


def test_without_s3_bucket_files_stay_on_the_local_disk():
    result = run_python(["-c", SHOW], {"DEBUG": "true"})

    assert json.loads(result.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_with_s3_bucket_files_go_to_the_bucket_with_short_signed_urls():
    env = {
        "DEBUG": "true",
        "S3_BUCKET": "portal-files",
        "S3_ENDPOINT_URL": "http://minio:9000",
        "S3_ACCESS_KEY_ID": "portal",
        "S3_SECRET_ACCESS_KEY": "a-secret-value",
        "S3_REGION": "us-east-1",
    }

    result = run_python(["-c", SHOW], env)

    assert json.loads(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "portal-files",
            "endpoint_url": "http://minio:9000",
            "access_key": "portal",
            "secret_key": "a-secret-value",
            "region_name": "us-east-1",
            "signature_version": "s3v4",
            "addressing_style": "path",
            "querystring_auth": True,
            "querystring_expire": 300,
            "default_acl": None,
            "file_overwrite": False,
        },
    }


def test_signed_urls_name_the_address_browsers_reach():
    """The portal reaches MinIO as http://minio:9000; browsers as the public address."""
    from storages.backends.s3 import S3Storage

    storage = S3Storage(
        bucket_name="portal-files",
        endpoint_url="http://minio:9000",
        access_key="portal",
        secret_key="a-secret-value",
        region_name="us-east-1",
        signature_version="s3v4",
        addressing_style="path",
    )

    with override_settings(
        S3_PUBLIC_ENDPOINT_URL="https://files.portal.example.org", S3_SIGNED_URL_SECONDS=60
    ):
        url = signed_url(
            "report-exports/x.csv", filename="x.csv", content_type="text/csv", storage=storage
        )

    assert url.startswith("https://files.portal.example.org/portal-files/report-exports/x.csv?")
    assert "X-Amz-Expires=60" in url
    assert "response-content-disposition=attachment%3B%20filename%3D%22x.csv%22" in url
    assert storage_is_s3(storage)
    assert not storage_is_s3(FileSystemStorage())
