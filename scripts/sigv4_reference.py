#!/usr/bin/env python3
"""Reference AWS SigV4 signer for S3, backed by botocore.

Used to produce expected values for the Swift S3BlobStore signer (see
Tests/S3BlobStoreTests/Fixtures/botocore-presign.json) and to cross-check it
where python3 + botocore are available.

Reads ONE JSON object (or a JSON array of them) on stdin and writes the
result (object or array, matching the input) on stdout.

Input fields
  mode        "presign" (botocore.auth.S3SigV4QueryAuth) or
              "header"  (botocore.auth.S3SigV4Auth)              [required]
  method      HTTP method                                      [default GET]
  url         full URL exactly as it goes on the wire, i.e. with the object
              key ALREADY percent-encoded (S3 signs the path verbatim; this
              script never re-encodes it).
    -- or, instead of url --
  endpoint, bucket, key
              path-style URL is built as {endpoint}/{bucket}/{key} with the
              key encoded the way botocore's S3 serializer does it:
              botocore.utils.percent_encode(key, safe='/~')
              (space -> %20, '+' -> %2B, '~' and '/' kept, UTF-8 bytes %XX).
  headers     {name: value} extra request headers      [default {}]
  body        request body as a string (header mode)   [default ""]
  region      e.g. "us-east-1"                                 [required]
  service     signing name                             [default "s3"]
  accessKey, secretKey                                         [required]
  sessionToken  optional STS token
  timestamp   "YYYYMMDDTHHMMSSZ" - the frozen signing clock     [required]
  expires     presign only: X-Amz-Expires in seconds   [default 3600]
  payloadHash header mode only: value used for x-amz-content-sha256 and the
              last line of the canonical request (e.g. "UNSIGNED-PAYLOAD").
              Default: what botocore computes (sha256 of body; S3SigV4Auth
              always hashes over plain http).

Output fields
  url               final URL (presign: includes the X-Amz-* query params)
  headers           headers after signing (header mode: incl. Authorization,
                    X-Amz-Date, X-Amz-Content-SHA256)
  canonicalRequest  as botocore built it
  stringToSign      as botocore built it
  signature         hex signature

Clock freezing: botocore.auth.SigV4Auth.add_auth takes the time from
botocore.compat.get_current_datetime() (datetime.datetime.now(timezone.utc);
older botocore used datetime.datetime.utcnow() directly in botocore.auth).
Both go through the `datetime` module object that botocore.auth imports, so we
swap `botocore.auth.datetime.datetime` for a subclass whose now()/utcnow()
return the frozen instant (the same trick botocore's own tests use via
FreezeTime(module=botocore.auth.datetime)). A real subclass, not a Mock, keeps
isinstance() and strptime() working.

Example
  echo '{"mode":"presign","endpoint":"http://127.0.0.1:8333","bucket":"b",
         "key":"a b+c~d/é.wasm","region":"us-east-1","accessKey":"AK",
         "secretKey":"SK","timestamp":"20260101T000000Z","expires":900}' \
    | python3 scripts/sigv4_reference.py
"""

import contextlib
import datetime as _dt
import json
import sys

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode

SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"


@contextlib.contextmanager
def frozen_clock(timestamp):
    frozen = _dt.datetime.strptime(timestamp, SIGV4_TIMESTAMP)  # naive UTC
    real = _dt.datetime

    class FrozenDatetime(real):
        @classmethod
        def now(cls, tz=None):
            if tz is None:
                return frozen
            return frozen.replace(tzinfo=_dt.timezone.utc).astimezone(tz)

        @classmethod
        def utcnow(cls):
            return frozen

    module = botocore.auth.datetime  # the stdlib datetime module object
    module.datetime = FrozenDatetime
    try:
        yield
    finally:
        module.datetime = real


class _Recorder:
    """Mixin capturing the canonical request / string to sign botocore used."""

    forced_payload_hash = None

    def canonical_request(self, request):
        cr = super().canonical_request(request)
        self.last_canonical_request = cr
        return cr

    def string_to_sign(self, request, canonical_request):
        sts = super().string_to_sign(request, canonical_request)
        self.last_string_to_sign = sts
        return sts

    def signature(self, string_to_sign, request):
        sig = super().signature(string_to_sign, request)
        self.last_signature = sig
        return sig

    def payload(self, request):
        if self.forced_payload_hash is not None:
            return self.forced_payload_hash
        return super().payload(request)


class HeaderAuth(_Recorder, botocore.auth.S3SigV4Auth):
    pass


class QueryAuth(_Recorder, botocore.auth.S3SigV4QueryAuth):
    pass


def build_url(spec):
    if spec.get("url"):
        return spec["url"]
    endpoint = spec["endpoint"].rstrip("/")
    key = percent_encode(spec["key"], safe="/~")
    return f"{endpoint}/{spec['bucket']}/{key}"


def sign(spec):
    mode = spec["mode"]
    creds = Credentials(
        spec["accessKey"], spec["secretKey"], spec.get("sessionToken")
    )
    region = spec["region"]
    service = spec.get("service", "s3")
    if mode == "presign":
        auth = QueryAuth(creds, service, region, expires=int(spec.get("expires", 3600)))
        if spec.get("payloadHash") not in (None, "UNSIGNED-PAYLOAD"):
            raise ValueError("presigned URLs always use UNSIGNED-PAYLOAD")
    elif mode == "header":
        auth = HeaderAuth(creds, service, region)
        auth.forced_payload_hash = spec.get("payloadHash")
    else:
        raise ValueError(f"unknown mode {mode!r}")

    request = AWSRequest(
        method=spec.get("method", "GET"),
        url=build_url(spec),
        headers=dict(spec.get("headers") or {}),
        data=(spec.get("body") or "").encode("utf-8"),
    )
    with frozen_clock(spec["timestamp"]):
        auth.add_auth(request)
    if request.context.get("timestamp") != spec["timestamp"]:
        raise RuntimeError(
            "clock freeze did not take effect: botocore used "
            f"{request.context.get('timestamp')!r}"
        )
    prepared = request.prepare()
    return {
        "url": prepared.url,
        "headers": {k: v for k, v in request.headers.items()},
        "canonicalRequest": auth.last_canonical_request,
        "stringToSign": auth.last_string_to_sign,
        "signature": auth.last_signature,
        "botocoreVersion": botocore.__version__,
    }


def main():
    data = json.load(sys.stdin)
    if isinstance(data, list):
        out = [sign(item) for item in data]
    else:
        out = sign(data)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
