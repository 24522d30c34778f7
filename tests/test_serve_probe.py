"""What a probe of the new routes found held, kept held through the production server
itself: one real `opsweb serve` process against the demo. Reasons that are too long,
or carry NUL or a line break, are 400; POSTs without the CSRF token (text/plain, a
plain form) are 403; 3,000 collapsed= ids are 400; a huge or malformed Accept-Language
still gets the page; 1,000 garbage panel versions get the panel and leave the process's
memory where it was. Nothing refused reaches Paperclip."""
import random
import string
from pathlib import Path

import pytest
import requests

from cli_process import served_on_demo

SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
COMPANY_IDS = [f"c0ffee00-0000-4000-8000-{n:012d}" for n in range(3000)]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from served_on_demo(tmp_path_factory.mktemp("serve-probe"))


def posts_to_paperclip(demo) -> int:
    counts = requests.get(f"{demo.url}/__demo/calls", timeout=15).json()["counts"]
    return sum(n for key, n in counts.items()
               if key.split(":")[0] in ("pause", "resume", "cancel", "reset-session"))


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


@pytest.mark.parametrize("reason", ["x" * 20_000, "stop\x00now", "stop\r\nSet-Cookie: a=1",
                                    "one\nline"])
def test_a_bad_reason_is_a_400_before_paperclip(served, reason):
    running, demo = served
    before = posts_to_paperclip(demo)
    resp = requests.post(f"{running.url}/api/operations/agents/{SHELL_AGENT}/pause",
                         json={"reason": reason}, timeout=15)
    assert resp.status_code == 400 and "reason" in resp.json()["error"]
    assert posts_to_paperclip(demo) == before


@pytest.mark.parametrize("path, body, content_type", [
    (f"/api/operations/agents/{SHELL_AGENT}/pause", "reason=x", "text/plain"),
    (f"/operations/agents/{SHELL_AGENT}/pause", "reason=x", "application/x-www-form-urlencoded"),
    (f"/operations/agents/{SHELL_AGENT}/pause", "reason=x", "text/plain"),
])
def test_a_post_without_the_csrf_token_is_a_403(served, path, body, content_type):
    running, demo = served
    before = posts_to_paperclip(demo)
    resp = requests.post(running.url + path, data=body, timeout=15,
                         headers={"Content-Type": content_type, "Origin": running.url})
    assert resp.status_code == 403
    assert posts_to_paperclip(demo) == before


def test_three_thousand_collapsed_ids_are_a_400(served):
    running, _ = served
    resp = requests.get(f"{running.url}/api/operations/agents",
                        params={"collapsed": ",".join(COMPANY_IDS)}, timeout=15)
    assert resp.status_code == 400 and "collapsed" in resp.json()["error"]


@pytest.mark.parametrize("header", [
    ",".join(f"x-{n};q=0.{n % 10}" for n in range(10_000)),  # ~100 KB
    "he;q=abc,,;;;q=,*;q=-1,en-;q=1.5,\t;", "he-IL;q=" + "9" * 5000])
def test_a_huge_or_malformed_accept_language_still_gets_the_page(served, header):
    running, _ = served
    resp = requests.get(f"{running.url}/operations", headers={"Accept-Language": header},
                        timeout=15)
    assert resp.status_code == 200 and 'lang="' in resp.text


def test_garbage_panel_versions_get_the_panel_with_bounded_memory(served):
    running, _ = served
    rng = random.Random(26)
    viewer = requests.Session()
    alphabet = string.ascii_letters + string.digits + string.punctuation

    def poll(n: int) -> int:
        junk = "".join(rng.choices(alphabet, k=min(100_000, 1 + n * 100)))
        return viewer.get(f"{running.url}/operations/agents", timeout=15, headers={
            "HX-Request": "true", "X-Opsweb-Panel-Version": junk}).status_code
    assert {poll(n) for n in range(50)} == {200}  # warmed up: caches and pools are full
    before = rss_kb(running.proc.pid)
    assert {poll(n) for n in range(1000)} == {200}
    grown = rss_kb(running.proc.pid) - before
    assert grown < 20_000, f"RSS grew by {grown} KB over 1,000 garbage versions"
