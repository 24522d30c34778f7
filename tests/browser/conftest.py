"""The browser suite: headless Chromium from Debian, driven by Playwright's sync API,
against real opsweb and demo Paperclip servers on 127.0.0.1.

Playwright never downloads a browser here: it launches Debian's chromium (or
$OPSWEB_CHROMIUM). Without it or Playwright, CI fails with the reason and a laptop
skips the suite with one reason.
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


try:
    from playwright.sync_api import expect  # noqa: F401  (the tests import it from here)
except ImportError:  # reported once below, not as an import error in every module
    expect = None


def _missing() -> str | None:
    if expect is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


_SKIPPED = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    """Outside CI, a machine without Chromium or Playwright skips the browser suite
    with one reason; in CI the browser fixture fails with it instead."""
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    reason = _missing() if browser_tests else None
    if reason and not os.environ.get("CI"):
        config.stash[_SKIPPED] = f"browser suite did not run: {reason}"
        skip = pytest.mark.skip(reason=config.stash[_SKIPPED])
        for item in browser_tests:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, config):
    if _SKIPPED in config.stash:
        terminalreporter.write_line(config.stash[_SKIPPED], yellow=True)


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        pytest.fail(f"browser suite cannot run: {reason}", pytrace=False)
    from playwright.sync_api import Error, sync_playwright
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)
        except Error as err:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {str(err).splitlines()[0]}",
                        pytrace=False)
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
def browser_locale() -> str:
    """The browser's language (its Accept-Language); a module may override it."""
    return "en-US"


@pytest.fixture
def watched(browser, request, browser_locale):
    """A fresh browser context and page per test; its screenshot is saved at teardown."""
    context = browser.new_context(viewport=VIEWPORT, locale=browser_locale)
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
    tell what a row showed even after the next refresh replaced it. A row's outcome
    slot has no id of its own: it is recorded as ow-outcome-<run id>."""
    page.evaluate("""() => {
      window.owSwaps = [];
      document.addEventListener('htmx:afterSwap', (e) => {
        const t = e.detail.target, row = t.closest('tr[data-run-id]');
        const id = t.id || (row && t.matches('.ow-outcome-slot') ? 'ow-outcome-' + row.dataset.runId : '');
        window.owSwaps.push({id: id, text: t.textContent.trim()});
      });
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


# ---- the demo Paperclip, driven through its control API ------------------------------
ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"
CLAUDE_CODER = "a9e00011-0000-4000-8000-000000000011"
SHELL_BOT = "a9e00013-0000-4000-8000-000000000013"
ARCHIVIST = "a9e00024-0000-4000-8000-000000000024"  # Globex, idle at start


def seeded_run(demo, role: str) -> str:
    return demo.world.directory()["runs"][role]


def new_run(demo, agent: str = ARCHIVIST) -> str:
    return demo.control("POST", "/runs", agentId=agent, status="running")["id"]


def say(demo, run_id: str, *lines: str, stream: str = "stdout") -> None:
    demo.control("POST", f"/runs/{run_id}/output",
                 chunks=[{"stream": stream, "chunk": line + "\n"} for line in lines])


def calls_to(demo, key: str) -> int:
    return demo.calls()["counts"].get(key, 0)
