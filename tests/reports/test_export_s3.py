"""An export kept in S3-compatible object storage (django-storages): built into the bucket of
a server started for the test (moto's server mode), then downloaded by another process from
the short-lived signed URL the download view redirects to, as a browser would."""

import datetime
import hashlib
import socket
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.utils import timezone

from reports.enums import ExportFileStatus
from reports.exports import export_files_expire, export_start
from reports.models import ExportFile
from tests.reports.conftest import KEY

BUCKET = "portal-exports"
BOM = "\ufeff"
DOWNLOAD = """
import hashlib, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=30) as response:
    body = response.read()
    print(response.status, hashlib.sha256(body).hexdigest(), len(body))
    print(response.headers["Content-Disposition"])
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3 = _s3_client(endpoint)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    yield endpoint
    # moto keeps its buckets in the process, whichever server: leave none for the next test.
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    server.stop()


def _s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        region_name="eu-west-1",
    )


def _s3_settings(endpoint: str) -> dict:
    """What config/settings.py makes of S3_BUCKET, S3_ENDPOINT_URL and the keys."""
    return {
        "S3_BUCKET": BUCKET,
        "S3_SIGNED_URL_SECONDS": 120,
        "STORAGES": {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "endpoint_url": endpoint,
                    "access_key": "test-key",
                    "secret_key": "test-secret",
                    "region_name": "eu-west-1",
                    "signature_version": "s3v4",
                    "addressing_style": "path",
                    "querystring_auth": True,
                    "querystring_expire": 120,
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


def test_export_in_s3_is_downloaded_by_another_process_from_a_signed_url(
    s3_server, test_dataset, cohorts, django_capture_on_commit_callbacks
):
    lead = cohorts["lead"]
    with override_settings(**_s3_settings(s3_server)):
        with django_capture_on_commit_callbacks(execute=True):
            export = export_start(acting_user=lead, dataset_key=KEY, fmt="csv", query={})
        export.refresh_from_db()
        client = Client()
        client.force_login(lead)
        response = client.get(f"/reports/exports/{export.pk}/download/")
        stored = default_storage.open(export.file.name, "rb").read()

    expected = (
        f"{BOM}city,cohort_number,population\r\n'=Evil,1,1\r\nBraga,1,190000\r\nAarhus,1,360000\r\n"
    ).encode()
    assert (export.status, export.size, stored) == (
        ExportFileStatus.READY,
        len(expected),
        expected,
    )
    # The object is in the bucket under the export's name, private.
    objects = _s3_client(s3_server).list_objects_v2(Bucket=BUCKET)
    assert [item["Key"] for item in objects["Contents"]] == [export.file.name]

    # The view answers with a redirect to a URL signed for 2 minutes, never with the bytes.
    assert response.status_code == 302
    url = response["Location"]
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        s3_server.removeprefix("http://"),
        f"/{BUCKET}/{export.file.name}",
    )
    assert (query["X-Amz-Expires"], query["X-Amz-Algorithm"]) == (["120"], ["AWS4-HMAC-SHA256"])
    assert response["Cache-Control"] == "private, no-store"

    # Another process, with nothing but the URL.
    downloaded = subprocess.run(
        [sys.executable, "-c", DOWNLOAD, url], capture_output=True, text=True, timeout=60
    )
    assert downloaded.returncode == 0, downloaded.stderr
    assert downloaded.stdout.splitlines() == [
        f"200 {hashlib.sha256(expected).hexdigest()} {len(expected)}",
        f'attachment; filename="{KEY}-{timezone.localdate(export.created_at).isoformat()}.csv"',
    ]
    assert ExportFile.objects.count() == 1


def test_expired_export_is_deleted_from_the_bucket(
    s3_server, test_dataset, cohorts, django_capture_on_commit_callbacks
):
    with override_settings(**_s3_settings(s3_server)):
        with django_capture_on_commit_callbacks(execute=True):
            export = export_start(
                acting_user=cohorts["lead"], dataset_key=KEY, fmt="xlsx", query={}
            )
        export.refresh_from_db()
        name = export.file.name
        assert default_storage.exists(name)
        with time_machine.travel(export.expires_at + datetime.timedelta(seconds=1)):
            assert export_files_expire() == 1
        assert not default_storage.exists(name)
