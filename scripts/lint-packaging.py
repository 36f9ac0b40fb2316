#!/usr/bin/env python3
"""Lint the packaging files without building anything.

Checks, by parsing only (no Docker engine, no cluster):
  * every YAML file under deploy/ parses (multi-document aware);
  * Kubernetes: each Deployment's containers probe /health (liveness) and
    /health/ready (readiness) on port 5000 and run as non-root; the
    kustomization lists existing files and no example Secret; Secrets in the
    repository hold only REPLACE_ME placeholders;
  * docker compose: the orchestrator, postgres, redis and s3 services exist;
    every *PASSWORD* / *SECRET* / *KEY* variable and every password inside a
    URL is a ${VAR} reference with no literal default; long-running services
    have healthchecks; depends_on entries wait on a condition;
  * Dockerfile: at least two FROM stages, a non-root USER and a HEALTHCHECK in
    the final stage; .dockerignore keeps .build, data and .git out;
  * openapi.yaml: validates as OpenAPI (openapi-spec-validator), has the
    expected paths, and its examples match their schemas.

Usage: scripts/lint-packaging.py [--root DIR]
Needs PyYAML and openapi-spec-validator (pip install pyyaml openapi-spec-validator).
Exits 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, Iterator

try:
    import yaml
except ImportError:  # pragma: no cover - environment problem, reported plainly
    print("FAIL setup: PyYAML is not installed (pip install pyyaml)", file=sys.stderr)
    sys.exit(1)

PORT = 5000
LIVENESS_PATH = "/health"
READINESS_PATH = "/health/ready"
COMPOSE_SERVICES = ("orchestrator", "postgres", "redis", "s3")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY", re.IGNORECASE)
# ${VAR}, ${VAR?msg} or ${VAR:?msg}: a reference that cannot fall back to a literal.
SECRET_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}$")
ANY_REF = re.compile(r"\$\{[^}]*\}")
PLACEHOLDER = "REPLACE_ME"
OPENAPI_PATHS = {
    "/health": True,  # value: the endpoint must be public (security: [])
    "/health/ready": True,
    "/metrics": True,
    "/openapi.yaml": True,
    "/api/v1/wasm/auth/whoami": False,
}


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, problems: list[str]) -> None:
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for problem in problems:
                print(f"       - {problem}")
        else:
            self.passed += 1
            print(f"PASS {name}")


# --------------------------------------------------------------------------- YAML


def load_yaml_tree(root: Path, report: Report) -> dict[Path, list[Any]]:
    """Parses every .yml/.yaml under deploy/; returns path -> non-empty documents."""
    deploy = root / "deploy"
    loaded: dict[Path, list[Any]] = {}
    problems: list[str] = []
    files = sorted(p for p in deploy.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    if not files:
        problems.append(f"no YAML files under {deploy}")
    for path in files:
        try:
            with path.open(encoding="utf-8") as handle:
                loaded[path] = [doc for doc in yaml.safe_load_all(handle) if doc is not None]
        except yaml.YAMLError as error:
            problems.append(f"{path.relative_to(root)}: {error}")
    report.check(f"deploy/ YAML parses ({len(files)} files)", problems)
    return loaded


# ------------------------------------------------------------------- Kubernetes


def k8s_objects(loaded: dict[Path, list[Any]]) -> Iterator[tuple[Path, dict]]:
    for path, docs in loaded.items():
        for doc in docs:
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                yield path, doc


def probe_problems(container: dict, probe_key: str, expected_path: str) -> list[str]:
    name = container.get("name", "?")
    probe = container.get(probe_key)
    if not isinstance(probe, dict):
        return [f"container {name}: no {probe_key}"]
    http_get = probe.get("httpGet")
    if not isinstance(http_get, dict):
        return [f"container {name}: {probe_key} is not an httpGet probe"]
    problems = []
    if http_get.get("path") != expected_path:
        problems.append(f"container {name}: {probe_key} path is {http_get.get('path')!r}, expected {expected_path!r}")
    port = http_get.get("port")
    if isinstance(port, str) and not port.isdigit():  # a named port: resolve it
        named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
        port = named.get(port, port)
    if str(port) != str(PORT):
        problems.append(f"container {name}: {probe_key} port is {port!r}, expected {PORT}")
    return problems


def check_kubernetes(root: Path, loaded: dict[Path, list[Any]], report: Report) -> None:
    objects = list(k8s_objects(loaded))
    deployments = [(p, o) for p, o in objects if o.get("kind") == "Deployment"]
    if not deployments:
        report.check("k8s Deployment present", ["no Deployment found under deploy/"])
    for path, deployment in deployments:
        where = f"{path.relative_to(root)} Deployment/{deployment.get('metadata', {}).get('name', '?')}"
        pod = (((deployment.get("spec") or {}).get("template") or {}).get("spec")) or {}
        containers = pod.get("containers") or []
        pod_security = pod.get("securityContext") or {}

        probes: list[str] = []
        non_root: list[str] = []
        if not containers:
            probes.append("no containers")
        for container in containers:
            probes += probe_problems(container, "livenessProbe", LIVENESS_PATH)
            probes += probe_problems(container, "readinessProbe", READINESS_PATH)
        for container in containers + (pod.get("initContainers") or []):
            security = container.get("securityContext") or {}
            effective = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
            if effective is not True:
                non_root.append(f"container {container.get('name', '?')}: runAsNonRoot is not true")
            uid = security.get("runAsUser", pod_security.get("runAsUser"))
            if uid == 0:
                non_root.append(f"container {container.get('name', '?')}: runAsUser is 0")
        report.check(f"{where}: liveness {LIVENESS_PATH} and readiness {READINESS_PATH} on port {PORT}", probes)
        report.check(f"{where}: runs as non-root", non_root)

    # Secrets kept in the repository may only carry placeholders.
    for path, obj in objects:
        if obj.get("kind") != "Secret":
            continue
        problems = []
        for section in ("stringData", "data"):
            for key, value in (obj.get(section) or {}).items():
                if PLACEHOLDER not in str(value):
                    problems.append(f"{section}.{key} holds a value without {PLACEHOLDER}")
        report.check(f"{path.relative_to(root)}: Secret holds only placeholders", problems)

    for path, docs in loaded.items():
        if path.name not in ("kustomization.yaml", "kustomization.yml"):
            continue
        problems = []
        for doc in docs:
            for resource in doc.get("resources") or []:
                if "example" in Path(resource).name:
                    problems.append(f"lists example file {resource}")
                if not (path.parent / resource).exists():
                    problems.append(f"lists missing file {resource}")
        report.check(f"{path.relative_to(root)}: resources exist, no example Secret", problems)


# ---------------------------------------------------------------------- Compose


def environment_items(service: dict) -> list[tuple[str, str | None]]:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return [(str(k), None if v is None else str(v)) for k, v in env.items()]
    items = []
    for entry in env:
        key, sep, value = str(entry).partition("=")
        items.append((key, value if sep else None))
    return items


def url_password_problem(value: str) -> str | None:
    """Flags a URL whose userinfo password is not exactly one secret reference."""
    refs: list[str] = []

    def stash(match: re.Match) -> str:
        refs.append(match.group(0))
        return f"\x00{len(refs) - 1}\x00"

    masked = ANY_REF.sub(stash, value)
    url = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/@]*)@", masked)
    if not url or ":" not in url.group(1):
        return None
    password = url.group(1).split(":", 1)[1]
    token = re.fullmatch(r"\x00(\d+)\x00", password)
    if token and SECRET_REF.match(refs[int(token.group(1))]):
        return None
    return "the password in this URL is not a ${VAR} / ${VAR:?msg} reference"


def check_compose(root: Path, loaded: dict[Path, list[Any]], report: Report) -> None:
    compose_files = [p for p in loaded if re.match(r"^(docker-)?compose[\w.-]*\.ya?ml$", p.name)]
    if not compose_files:
        report.check("compose file present", ["no docker-compose.yml / compose.yaml under deploy/"])
    for path in compose_files:
        rel = path.relative_to(root)
        docs = loaded[path]
        services = (docs[0].get("services") if docs and isinstance(docs[0], dict) else None) or {}

        missing = [s for s in COMPOSE_SERVICES if s not in services]
        report.check(f"{rel}: services {', '.join(COMPOSE_SERVICES)} present",
                     [f"missing service {s}" for s in missing])

        secrets: list[str] = []
        for name, service in services.items():
            for key, value in environment_items(service or {}):
                if SECRET_NAME.search(key):
                    if value is None or not SECRET_REF.match(value):
                        secrets.append(f"{name}.environment.{key} = {value!r} is not a ${{VAR:?msg}} reference")
                elif value is not None and (problem := url_password_problem(value)):
                    secrets.append(f"{name}.environment.{key}: {problem}")
        report.check(f"{rel}: no literal secrets in environment", secrets)

        one_shots = {
            dep
            for service in services.values()
            for dep, cond in ((service or {}).get("depends_on") or {}).items()
            if isinstance((service or {}).get("depends_on"), dict)
            and isinstance(cond, dict)
            and cond.get("condition") == "service_completed_successfully"
        }
        health: list[str] = []
        for name, service in services.items():
            if name in one_shots:
                continue
            check = (service or {}).get("healthcheck") or {}
            if not check.get("test") or check.get("disable"):
                health.append(f"service {name} has no healthcheck")
        report.check(f"{rel}: every long-running service has a healthcheck", health)

        waits: list[str] = []
        for name, service in services.items():
            depends = (service or {}).get("depends_on")
            if depends is None:
                continue
            if not isinstance(depends, dict):
                waits.append(f"service {name}: depends_on is a list, so it waits on no condition")
                continue
            for dep, cond in depends.items():
                condition = (cond or {}).get("condition")
                if condition not in ("service_healthy", "service_completed_successfully"):
                    waits.append(f"service {name} -> {dep}: condition is {condition!r}")
                if dep not in services:
                    waits.append(f"service {name} -> {dep}: no such service")
        report.check(f"{rel}: depends_on waits for healthy / completed services", waits)


# ------------------------------------------------------------------- Dockerfile


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """Returns (INSTRUCTION, arguments) pairs, joining continuation lines."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continuation are dropped by Docker too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            word, _, rest = full.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    if pending.strip():
        word, _, rest = pending.strip().partition(" ")
        instructions.append((word.upper(), rest.strip()))
    return instructions


def check_dockerfile(root: Path, report: Report) -> None:
    path = root / "Dockerfile"
    if not path.is_file():
        report.check("Dockerfile present", [f"{path} not found"])
        return
    instructions = dockerfile_instructions(path.read_text(encoding="utf-8"))
    froms = [i for i, (word, _) in enumerate(instructions) if word == "FROM"]
    report.check("Dockerfile: multi-stage (>= 2 FROM)",
                 [] if len(froms) >= 2 else [f"found {len(froms)} FROM line(s)"])

    final = instructions[froms[-1]:] if froms else instructions
    users = [args for word, args in final if word == "USER"]
    user_problems = []
    if not users:
        user_problems.append("no USER in the final stage, so the container runs as root")
    else:
        user = users[-1].split(":", 1)[0].strip()
        if user in ("root", "0", ""):
            user_problems.append(f"final USER is {users[-1]!r}")
    report.check("Dockerfile: final stage runs as a non-root USER", user_problems)

    checks = [args for word, args in final if word == "HEALTHCHECK"]
    health_problems = []
    if not checks:
        health_problems.append("no HEALTHCHECK in the final stage")
    elif checks[-1].upper().startswith("NONE"):
        health_problems.append("HEALTHCHECK NONE disables the healthcheck")
    report.check("Dockerfile: HEALTHCHECK in the final stage", health_problems)

    ignore = root / ".dockerignore"
    ignore_problems = []
    if not ignore.is_file():
        ignore_problems.append(".dockerignore not found")
    else:
        patterns = {line.strip() for line in ignore.read_text(encoding="utf-8").splitlines()}
        for wanted in (".build*", "data", ".git"):
            if wanted not in patterns:
                ignore_problems.append(f".dockerignore does not list {wanted}")
    report.check(".dockerignore excludes .build*, data, .git", ignore_problems)


# ---------------------------------------------------------------------- OpenAPI


def media_examples(spec: dict) -> Iterator[tuple[str, dict, Any]]:
    """Yields (where, schema, example) for every example given beside a schema."""
    def from_responses(prefix: str, responses: dict) -> Iterator[tuple[str, dict, Any]]:
        for status, response in (responses or {}).items():
            if not isinstance(response, dict) or "$ref" in response:
                continue
            for media, body in (response.get("content") or {}).items():
                schema = body.get("schema")
                if schema is None:
                    continue
                if "example" in body:
                    yield f"{prefix} {status} {media}", schema, body["example"]
                for name, example in (body.get("examples") or {}).items():
                    if isinstance(example, dict) and "value" in example:
                        yield f"{prefix} {status} {media} ({name})", schema, example["value"]

    for route, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield from from_responses(f"{method.upper()} {route}", operation["responses"])
    yield from from_responses("components.responses", (spec.get("components") or {}).get("responses") or {})


def check_openapi(root: Path, report: Report) -> None:
    path = root / "openapi.yaml"
    if not path.is_file():
        report.check("openapi.yaml present", [f"{path} not found"])
        return
    try:
        from openapi_spec_validator import validate
        from openapi_spec_validator.readers import read_from_filename
    except ImportError:
        report.check("openapi.yaml validates", ["openapi-spec-validator is not installed (pip install openapi-spec-validator)"])
        return
    try:
        spec = read_from_filename(str(path))[0]
        validate(spec)
        problems = []
    except Exception as error:  # the validator raises several unrelated types
        # jsonschema-style errors carry a short message and a location; str() would
        # dump the whole OpenAPI meta-schema.
        message = getattr(error, "message", None) or str(error).splitlines()[0]
        location = getattr(error, "json_path", None)
        where = f" at {location}" if location and location != "$" else ""
        report.check("openapi.yaml validates", [f"{type(error).__name__}{where}: {message}"])
        return
    report.check(f"openapi.yaml validates (OpenAPI {spec.get('openapi')})", problems)

    path_problems = []
    paths = spec.get("paths") or {}
    for route, public in OPENAPI_PATHS.items():
        operation = (paths.get(route) or {}).get("get")
        if operation is None:
            path_problems.append(f"GET {route} is missing")
        elif public and operation.get("security") != []:
            path_problems.append(f"GET {route} should be public (security: [])")
        elif not public and operation.get("security") == []:
            path_problems.append(f"GET {route} should require bearer auth")
    report.check("openapi.yaml: expected endpoints and security", path_problems)

    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        return
    example_problems = []
    for where, schema, example in media_examples(spec):
        # Embed components so '#/components/...' references resolve.
        wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                   "allOf": [schema], "components": spec.get("components") or {}}
        for error in Draft202012Validator(wrapped).iter_errors(example):
            example_problems.append(f"{where}: {error.message}")
    report.check("openapi.yaml: examples match their schemas", example_problems)


# ------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="repository root (default: the parent of scripts/)")
    root = parser.parse_args().root.resolve()

    report = Report()
    loaded = load_yaml_tree(root, report)
    check_kubernetes(root, loaded, report)
    check_compose(root, loaded, report)
    check_dockerfile(root, report)
    check_openapi(root, report)

    print(f"\n{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
