"""The JSON twins fuzzed from the OpenAPI document opsweb serves: schemathesis generates
valid and invalid requests for every operation and calls opsweb's WSGI app with them
in-process (werkzeug's test client: the same request parsing, middleware and routes as
over HTTP, without a socket), on the in-memory fake platform seeded with the demo
world. No answer may be a server error (502/504 are documented for Paperclip faults,
and the fake is healthy here), and every answer must match the document (status,
content type, body schema). Each case also carries a random mix of Host, Origin and
forwarding headers (opsweb sits behind one trusted proxy and answers only to 127.0.0.1
here), since those reach opsweb's own code before any route does. The document itself
is read over real HTTP once (test_fuzz_http below keeps that path end to end)."""
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance, response_schema_conformance, status_code_conformance)

TOKEN = "fuzz-operator-token-0123456789"
EXAMPLES = {GenerationMode.POSITIVE: 80, GenerationMode.NEGATIVE: 80}
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
# requests itself refuses a header value with leading whitespace
_ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(str.lstrip)
_HOSTS = st.sampled_from(["127.0.0.1", "rebind.attacker.example:8700", "[::1", "[::1]:80",
                          "", "127.0.0.1:99999", "localhost:x"]) | _ASCII
_ORIGINS = st.sampled_from(["http://[::1", "null", "http://rebind.attacker.example",
                            "https://127.0.0.1", "http://a:b:c"]) | _ASCII
HEADERS = st.just({}) | st.fixed_dictionaries({}, optional={
    "Host": _HOSTS, "Origin": _ORIGINS, "Referer": _ORIGINS,
    "X-Forwarded-For": st.sampled_from(["203.0.113.9", "1.2.3.4, ::1", "", "not-an-ip"]) | _ASCII,
    "X-Forwarded-Proto": st.sampled_from(["https", "http", "gopher", ""]) | _ASCII,
    "X-Forwarded-Host": _HOSTS, "X-Forwarded-Port": st.sampled_from(["443", "x", "-1"]) | _ASCII,
    "Forwarded": st.sampled_from(["for=203.0.113.9;proto=https", "for=\"[::1\""]) | _ASCII,
    "X-Real-IP": _ASCII})  # half the cases: none of them


SETTINGS = {"OPSWEB_OPERATOR_TOKENS": f"fuzzer:{TOKEN}",
            "OPSWEB_SECRET_KEY": "fuzz-secret-key-0123456789",
            "OPSWEB_ALLOWED_HOSTS": "127.0.0.1", "OPSWEB_TRUSTED_PROXIES": 1}


@pytest.fixture
def api(on_fake):
    return on_fake(**SETTINGS)


def test_the_openapi_document_names_every_json_twin(demo, panel_for):
    api = panel_for(demo.url, **SETTINGS)
    doc = api.get("/api/operations/openapi.json",
                  headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert doc["servers"] == [{"url": "/api/operations"}]
    assert set(doc["paths"]) == {
        "/agents", "/runs/{runId}/log", "/runs/{runId}/log.ndjson", "/runs/{runId}/log.txt", "/runs/{runId}/events",
        "/runs/{runId}/cancel", "/agents/{agentId}/reset-session", "/audit",
        "/agents/{agentId}/pause", "/agents/{agentId}/resume", "/agents/{agentId}",
        "/recent", "/attention", "/notifications", "/rules", "/incidents", "/batches", "/batches/preview",
        "/batches/{batchId}", "/batches/{batchId}/cancel", "/batches/{batchId}/undo",
        "/companies/{companyId}/pause", "/spend", "/overview", "/runs/{runId}/search",
        "/agents/{agentId}/search"}
    names = {p["name"] for p in doc["paths"]["/agents"]["get"]["parameters"]}
    assert names == {"company", "agent", "status", "silent", "collapsed"}
    log = {p["name"] for p in doc["paths"]["/runs/{runId}/log"]["get"]["parameters"]}
    assert log == {"runId", "cursor", "before", "since", "format", "at", "line", "later"}
    assert api.get("/api/operations/openapi.json").status_code == 401  # an operator's only


def test_fuzzing_every_json_twin_finds_no_server_error(api, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/operations/openapi.json", api.app,
                                            headers={"Authorization": f"Bearer {TOKEN}",
                                                     "Host": "127.0.0.1"})
    base = "http://127.0.0.1/api/operations"
    # werkzeug does not undo brotli or gzip as requests did over HTTP
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"}
    counts: dict[str, int] = {}
    statuses: dict[int, int] = {}
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 26
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
                continue  # nothing to get wrong (GET /attention takes no parameters)
            @settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode), extra=HEADERS)
            def fuzz(case, extra):
                resp = case.call(base_url=base, headers={**headers, **extra})
                counts[operation.label] = counts.get(operation.label, 0) + 1
                statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
                assert resp.status_code < 500, (case.as_curl_command(), resp.text[:300])
                if mode is GenerationMode.POSITIVE:
                    case.validate_response(resp, checks=CHECKS, headers=headers)

            fuzz()
    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} cases over {len(counts)} operations in"
              f" {time.monotonic() - started:.1f} s; statuses {dict(sorted(statuses.items()))}")
    assert total >= 200
    assert statuses.get(200, 0) > 0 and statuses.get(400, 0) > 0


def _has_inputs(operation) -> bool:
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))
