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

The event stream (`GET /api/v1/wasm/events`) never ends by itself: a
schema-valid call without `maxSeconds`, or with a large one, would hold the
fuzzer until its request timeout. Before each call an absent or valid
`maxSeconds` becomes 1, so every case still reaches the server (auth, the
`types` filter, the 429/503 limits) and its stream ends after a second;
invalid values are left alone, so the 400 is still fuzzed.
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


def _bound_stream(case, kwargs):
    if not case.path.endswith("/events"):
        return
    for query in (case.query, kwargs.get("params")):
        if query is None:
            continue
        value = query.get("maxSeconds")
        if value is None or (str(value).isdigit() and 1 <= int(value) <= 86400):
            query["maxSeconds"] = 1
    if case.query is None:
        case.query = {"maxSeconds": 1}
        if isinstance(kwargs.get("params"), dict):
            kwargs["params"]["maxSeconds"] = 1
        elif "params" in kwargs:
            kwargs["params"] = {"maxSeconds": 1}


@schemathesis.hook
def before_call(context, case, kwargs):
    _refresh(case.headers)
    _refresh(kwargs.get("headers"))
    _bound_stream(case, kwargs)
