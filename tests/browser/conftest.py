"""The browser suite: headless Chromium from Debian, driven by Playwright's sync API,
against real opsweb and demo Paperclip servers on 127.0.0.1.

Playwright never downloads a browser here: it launches /usr/bin/chromium (or
$OPSWEB_CHROMIUM). Without one, CI fails with the reason and a laptop skips.
Every test leaves a screenshot in artifacts/screenshots/<test-name>.png.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("OPSWEB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}

# htmx polls: the panel every 4 s (plus up to 1.5 s of shared freshness), the log every 2 s
PANEL_REFRESH_MS = 6_500
LOG_FOLLOW_MS = 4_000


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser suite cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser suite skipped: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)
        except Error as err:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {str(err).splitlines()[0]}")
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page plus what went wrong in it: console errors, uncaught exceptions, requests
    that failed or answered >= 400."""
    page: object
    problems: list[str] = field(default_factory=list)

    def watch(self):
        page = self.page
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.method} {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.request.method} {r.url}"))
        return self


@pytest.fixture
def watched(browser, request):
    """A fresh browser context and page per test; its screenshot is saved at teardown."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    w = Watched(page).watch()
    yield w
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    finally:
        context.close()


@pytest.fixture
def page(watched):
    return watched.page


@pytest.fixture
def open_panel(demo, panel, page):
    """The standalone panel, loaded in the browser with its rows shown."""
    def go(path: str = "/operations"):
        page.goto(panel.url + path)
        page.locator("#ow-agents tr.ow-row").first.wait_for()
        return page
    return go


def record_swaps(page):
    """Keep every opsweb swap target's id and text in window.owSwaps, so a test can
    tell what a row showed even after the next refresh replaced it."""
    page.evaluate("""() => {
      window.owSwaps = [];
      document.addEventListener('htmx:afterSwap', (e) => window.owSwaps.push(
        {id: e.detail.target.id, text: e.detail.target.textContent.trim()}));
    }""")


def swaps(page, prefix: str) -> list[str]:
    return page.evaluate("(p) => window.owSwaps.filter(s => s.id.startsWith(p)).map(s => s.text)",
                         prefix)


def count_agent_refreshes(page) -> dict:
    """Count answers to the panel's self-poll (200 = swapped, 204 = unchanged)."""
    seen = {"200": 0, "204": 0}

    def on(resp):
        if "/agents" in resp.url and resp.request.method == "GET" and "/api/" not in resp.url:
            seen[str(resp.status)] = seen.get(str(resp.status), 0) + 1
    page.on("response", on)
    return seen
