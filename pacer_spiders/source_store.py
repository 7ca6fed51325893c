"""Where raw pages are kept: a local folder or an ``s3://bucket/prefix`` object store.

Both are content-addressed with the same layout (``<sha1[:2]>/<sha1>.html``), so a page is written
once however often it is fetched.  The object store goes through botocore, as Scrapy's own S3 files
store does, with Scrapy's AWS_* settings; unset credentials fall back to botocore's own chain
(environment, ~/.aws, instance role).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

S3_SCHEME = "s3://"
# How long a signed URL printed by ``pacer-spiders source`` stays valid.
SIGNED_URL_SECONDS = 3600

def extension_of(report_type: str | None) -> str:
    """The file extension a raw page of ``report_type`` is kept under (its report unit says)."""
    from pacer_spiders.reports import builtin_unit

    unit = builtin_unit(report_type) if report_type else None
    return unit.source_extension if unit is not None else ".html"


def sha1_of(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def store_location(settings) -> str:
    """SOURCE_STORE, else ``<FILES_STORE>/raw``: a local folder or an s3:// URL."""
    configured = settings.get("SOURCE_STORE")
    location = configured or (settings.get("FILES_STORE") or "./pacer_files").rstrip("/") + "/raw"
    if location.startswith("file://"):
        return location[len("file://"):]
    if "://" in location and not location.startswith(S3_SCHEME):
        which = "SOURCE_STORE" if configured else "FILES_STORE"
        raise ValueError(f"{which} {location.split('://', 1)[0]}:// cannot keep raw pages: "
                         "set SOURCE_STORE to a local folder or an s3://bucket/prefix URL")
    return location


def keep(settings, body: bytes, report_type: str | None, dry_run: bool = False) -> tuple[str, str]:
    """Store ``body`` content-addressed; return (sha1, where: a path or an s3:// URL).

    A second copy is not written again.
    """
    sha1 = sha1_of(body)
    name = f"{sha1[:2]}/{sha1}{extension_of(report_type)}"
    location = store_location(settings)
    if location.startswith(S3_SCHEME):
        url = location.rstrip("/") + "/" + name
        if not dry_run:
            _S3Object(settings, url).put_once(body)
        return sha1, url
    path = Path(location) / name
    if not dry_run and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of this process's own: two processes keeping the same page at once must not
        # write one temporary file (the second rename would find it gone).
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(body)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a page
    return sha1, str(path)


def read(settings, where: str) -> bytes:
    """The bytes kept at ``where`` (as returned by ``keep``)."""
    if where.startswith(S3_SCHEME):
        return _S3Object(settings, where).get()
    return Path(where).read_bytes()


def shareable(settings, where: str, expires: int = SIGNED_URL_SECONDS) -> str:
    """A path as it is; an s3:// page as a presigned GET URL valid ``expires`` seconds."""
    if where.startswith(S3_SCHEME):
        return _S3Object(settings, where).signed_get_url(expires)
    return where


class _S3Object:
    def __init__(self, settings, url: str):
        split = urlsplit(url)
        self.bucket, self.key = split.netloc, split.path.lstrip("/")
        self.client = _s3_client(*(settings.get(name) for name in _CLIENT_SETTINGS),
                                 settings.getbool("AWS_USE_SSL", True))

    def put_once(self, body: bytes) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key)
            return
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body)  # one request: never half a page

    def get(self) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key)["Body"].read()

    def signed_get_url(self, expires: int) -> str:
        return self.client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": self.key},
                                                  ExpiresIn=expires)


_CLIENT_SETTINGS = ("AWS_ENDPOINT_URL", "AWS_REGION_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                    "AWS_SESSION_TOKEN", "AWS_VERIFY")


@functools.lru_cache(maxsize=8)
def _s3_client(endpoint_url, region_name, access_key, secret_key, session_token, verify, use_ssl):
    """One botocore client per configuration (clients are thread-safe and costly to build)."""
    try:
        import botocore.session
        from botocore.config import Config
    except ImportError:
        raise ImportError("an s3:// SOURCE_STORE needs botocore: pip install 'pacer-spiders[s3]'") from None
    # Signature v4 everywhere: presigned URLs then carry X-Amz-Expires; path-style addressing
    # for a custom endpoint (MinIO, moto, Ceph), whose buckets are rarely DNS names.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"} if endpoint_url else None)
    return botocore.session.get_session().create_client(
        "s3", region_name=region_name, endpoint_url=endpoint_url, use_ssl=use_ssl,
        verify=verify, config=config,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=session_token)
