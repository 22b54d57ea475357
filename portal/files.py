"""Downloads of the files the portal keeps in its storage (settings.STORAGES["default"]).

Decision (README, "Files and storage"): the view that answers a download has asked who is
asking; then, on the local disk, it sends the file itself, and on an S3-compatible store it
redirects to a URL signed for settings.S3_SIGNED_URL_SECONDS, so that the bytes go from the
store to the browser without passing through a web process. The signed URL names the file to
save as (ResponseContentDisposition), and it stops working after those seconds: a link copied
from the browser is no way round the permission check for long.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseRedirect


def storage_is_s3(storage=None) -> bool:
    storage = storage or default_storage
    # __class__, not type(): default_storage is a lazy object that passes it on.
    return storage.__class__.__module__.startswith("storages.backends.s3")


def _signing_storage(storage):
    """The storage that signs URLs: the one given, or the same bucket at the address browsers
    reach (S3_PUBLIC_ENDPOINT_URL) when the portal reaches the store by another one."""
    public = getattr(settings, "S3_PUBLIC_ENDPOINT_URL", None)
    if not public or public == storage.endpoint_url:
        return storage
    from storages.backends.s3 import S3Storage

    return S3Storage(
        bucket_name=storage.bucket_name,
        endpoint_url=public,
        access_key=storage.access_key,
        secret_key=storage.secret_key,
        region_name=storage.region_name,
        signature_version=storage.signature_version,
        addressing_style=storage.addressing_style,
        querystring_auth=True,
    )


def signed_url(name: str, *, filename: str, content_type: str, storage=None) -> str:
    """A short-lived URL of the stored file `name` that downloads it as `filename` (ASCII)."""
    storage = _signing_storage(storage or default_storage)
    return storage.url(
        name,
        parameters={
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": content_type,
        },
        expire=settings.S3_SIGNED_URL_SECONDS,
    )


def stored_file_response(field_file, *, filename: str, content_type: str):
    """The download of a FileField's file: a redirect to a signed URL on S3, the file itself
    (streamed from the storage) otherwise. `filename`: ASCII."""
    if storage_is_s3(field_file.storage):
        return HttpResponseRedirect(
            signed_url(
                field_file.name,
                filename=filename,
                content_type=content_type,
                storage=field_file.storage,
            )
        )
    return FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
