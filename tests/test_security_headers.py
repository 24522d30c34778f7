"""Security headers on every answer of the standalone panel (pages, fragments, JSON,
static files, errors, refusals), and templates that need nothing the CSP forbids:
no inline script or style, no inline event handlers, htmx configured without eval.
(In a real browser: tests/browser/test_csp_in_browser.py.)"""
import json
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "opsweb" / "templates" / "opsweb"
RUN = "b0000001-0000-4000-8000-000000000001"


def assert_hardened(resp):
    csp = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("method, path", [
    ("GET", "/operations"),
    ("GET", "/operations/agents"),
    ("GET", "/api/operations/agents"),
    ("GET", f"/operations/runs/{RUN}/log"),
    ("GET", "/operations/static/opsweb/opsweb.js"),
    ("GET", "/operations/static/opsweb/htmx-2.0.11.min.js"),
    ("GET", "/operations/runs/not-a-uuid/log"),
    ("GET", "/api/operations/nowhere"),
    ("GET", "/nowhere"),
    ("DELETE", "/api/operations/agents"),
    ("POST", f"/operations/runs/{RUN}/cancel"),  # refused: no CSRF token
    ("GET", "/api/operations/openapi.json"),
    ("GET", "/metrics"),
    ("GET", "/"),
])
def test_every_answer_carries_the_security_headers(panel, method, path):
    resp = panel.http.request(method, panel.url + path, timeout=10, allow_redirects=False)
    assert_hardened(resp)


def test_refusals_and_the_sign_in_page_carry_them_too(demo, panel_for):
    guarded = panel_for(demo.url, OPSWEB_OPERATOR_TOKENS="eve:eve-token-0123456789abc",
                        OPSWEB_SECRET_KEY="headers-secret-0123456789")
    for path in ("/operations", "/operations/login", "/api/operations/agents"):
        assert_hardened(guarded.get(path, allow_redirects=False))


def test_templates_need_nothing_the_csp_forbids():
    for template in TEMPLATES.glob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)  # not comments
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.S):
            assert not script.strip(), f"inline script in {template.name}"
        assert not re.search(r"<style\b", text), f"inline <style> in {template.name}"
        assert not re.search(r"\sstyle\s*=", text), f"style attribute in {template.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline handler in {template.name}"
        assert not re.search(r"\shx-on", text), f"hx-on needs eval ({template.name})"
        assert "javascript:" not in text


def test_htmx_is_configured_to_run_without_eval_or_injected_styles(panel):
    meta = panel.soup("/operations").select_one('meta[name="htmx-config"]')
    config = json.loads(meta["content"])
    assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
