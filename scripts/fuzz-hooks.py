"""Schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

Idempotency keys: schemathesis reuses the same generated or example
`Idempotency-Key` value across operations and cases. The server (like the
IETF httpapi idempotency-key draft) answers 422 `idempotency-key-reused` to a
key used before for a different request, which is correct, but then every
later write with that key is refused and the checks report "schema-valid
request rejected". Real clients choose one key per logical operation, so a
*valid* key (1-255 visible ASCII characters) is replaced by a fresh one
before each call. Invalid keys are left alone, so the 400 for a malformed key
is still fuzzed. Replays and key reuse have tests of their own (OrchestratorAppTests).
"""
import re
import uuid

import schemathesis

_VALID_KEY = re.compile(r"^[!-~]{1,255}$")
_NAME = "idempotency-key"


def _refresh(headers):
    if not headers:
        return
    for name in list(headers):
        value = headers[name]
        if name.lower() == _NAME and isinstance(value, str) and _VALID_KEY.match(value):
            headers[name] = "fuzz-" + uuid.uuid4().hex


@schemathesis.hook
def before_call(context, case, kwargs):
    _refresh(case.headers)
    _refresh(kwargs.get("headers"))
