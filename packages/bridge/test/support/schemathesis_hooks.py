"""Schemathesis hooks for the bridge's fuzz test (test/fuzz.test.ts), loaded through SCHEMATHESIS_HOOKS.

`sreda_foreign_cluster_refused`: the bridge's allow-list names one cluster (the fake cluster on
`http://127.0.0.1:<port>/`); a request whose cluster has a DNS name — which can never be that address — must be
refused: 403 CLUSTER_NOT_ALLOWED (or 422 for other reasons) for a diff, a provisioning, a suspend, a resume, a
deprovisioning (its dry run included), an inventory, a drift check or a rollout, that environment's `error.code` CLUSTER_NOT_ALLOWED in a status answer. Each
refusal is counted in SREDA_FUZZ_STATS, so the test can tell the fuzzer reached the allow-list at all.

`sreda_valid_body_accepted` replaces the built-in `positive_data_acceptance` (excluded on the command
line). The built-in one fails every 422 to a body the document calls valid. The bridge has rules a JSON Schema
cannot state and the README documents: a namespace's macro defaults (a schema-valid body for a namespace without
them lacks settings), template semantics (a template body is JSON text with macros, checked as a manifest),
duplicate variables. Those problems come from the SDK with codes of their own. What this check still refuses is a
422 that names a problem of the *request schema* itself (a zod issue code: invalid_type, invalid_format, too_big,
custom, …, or an unknown field outside a template body): then the document promised something the schemas do not
keep — a refinement without a pattern, a regex that means something else in another dialect — and 1C, which reads
the same document, would be misled the same way.
"""

import json
import os
import re
from urllib.parse import urlsplit

import schemathesis

# zod 4 issue codes, as validation.ts problemsOf passes them on (`unrecognized_keys` becomes one `unknown-field` per key).
SCHEMA_CODES = {
    "invalid_type",
    "invalid_format",
    "too_big",
    "too_small",
    "not_multiple_of",
    "invalid_union",
    "invalid_key",
    "invalid_element",
    "invalid_value",
    "custom",
}

# What a schema-valid body may get besides 422: as the built-in check (5xx are not_a_server_error's business).
ACCEPTED = {401, 403, 404, 409, 429}

# The bridge's body limit in the fuzz test (testConfig's bodyLimitBytes): a bigger schema-valid body may get 413.
BODY_LIMIT_BYTES = 1024 * 1024


def _schema_problems(problems):
    for problem in problems:
        code = problem.get("code")
        path = str(problem.get("path", ""))
        if code in SCHEMA_CODES or (code == "unknown-field" and not path.startswith("templates.")):
            yield problem


@schemathesis.check
def sreda_valid_body_accepted(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if 200 <= status < 400 or status >= 500 or status in ACCEPTED:
        return None
    body = response.request.body or b""
    if status == 413 and len(body) > BODY_LIMIT_BYTES:
        return None
    if status == 422:
        try:
            problems = json.loads(response.text)["details"]["problems"]
        except (ValueError, KeyError, TypeError):
            problems = None
        if isinstance(problems, list):
            wrong = list(_schema_problems(p for p in problems if isinstance(p, dict)))
            if not wrong:
                return None
            listed = "; ".join(f"{p.get('path')}: {p.get('message')} ({p.get('code')})" for p in wrong[:5])
            raise AssertionError(
                f"The document calls this body valid, but the bridge's request schema rejects it (422): {listed}\n\n"
                "Make the document state the rule (a pattern, a bound) or make the schema accept what it states"
            )
    raise AssertionError(f"A body the document calls valid was refused with {status}")


# A host the WHATWG URL parser might still read as an IPv4 address (127.1, 0x7f.0.0.1, 2130706433) is left alone:
# only a name with other characters is certainly not the allowed 127.0.0.1.
_MAYBE_IPV4 = re.compile(r"^[0-9a-fx.]*$", re.IGNORECASE)


def _foreign(url):
    if not isinstance(url, str):
        return False
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return bool(host) and not _MAYBE_IPV4.match(host)


def _count_refusal():
    path = os.environ.get("SREDA_FUZZ_STATS")
    if path:
        with open(path, "a", encoding="utf-8") as stats:
            stats.write("refused\n")


def _target(item):
    if not isinstance(item, dict):
        return None
    cluster = item.get("cluster") if isinstance(item.get("cluster"), dict) else {}
    environment = item.get("environment") if isinstance(item.get("environment"), dict) else {}
    return cluster.get("apiRootUrl") or environment.get("apiRootUrl")


# Operations whose body names one cluster the bridge would talk to (a deprovisioning's dry run reads it too).
CLUSTER_ROUTES = {
    "/v1/provisionings",
    "/v1/environments/suspend",
    "/v1/environments/resume",
    "/v1/environments/deprovision",
    "/v1/fleet/inventory",
    "/v1/fleet/drift",
    "/v1/fleet/rollouts",
}


@schemathesis.check
def sreda_foreign_cluster_refused(ctx, response, case):
    body = case.body if isinstance(case.body, dict) else None
    if body is None or case.method.upper() != "POST":
        return None
    status = response.status_code
    path = case.operation.path
    if path == "/v1/environments/status":
        environments = body.get("environments")
        if status != 200 or not isinstance(environments, list):
            return None
        try:
            items = response.json()["environments"]
        except (ValueError, KeyError, TypeError):
            return None
        for index, (sent, got) in enumerate(zip(environments, items)):
            if not _foreign(_target(sent)):
                continue
            code = ((got or {}).get("error") or {}).get("code")
            if code != "CLUSTER_NOT_ALLOWED":
                raise AssertionError(f"environments[{index}] names {_target(sent)!r}, outside the allow-list, and got {code or 'a status'} instead of CLUSTER_NOT_ALLOWED")
            _count_refusal()
        return None
    if path in CLUSTER_ROUTES or (path == "/v1/plans" and body.get("diff") is True):
        if not _foreign(_target(body)):
            return None
        if 200 <= status < 300:
            raise AssertionError(f"{case.method} {path} names {_target(body)!r}, outside the allow-list, and was accepted ({status})")
        if status == 403:
            try:
                code = response.json().get("code")
            except (ValueError, AttributeError):
                code = None
            if code != "CLUSTER_NOT_ALLOWED":
                raise AssertionError(f"403 for a cluster outside the allow-list with code {code!r}, not CLUSTER_NOT_ALLOWED")
            _count_refusal()
    return None
