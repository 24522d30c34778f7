"""The agents panel in a real browser: it loads cleanly, refreshes itself without a
reload, and keeps one company's rows when another company fails."""
import time

import pytest

from .conftest import (ACME, GLOBEX, PANEL_REFRESH_MS, count_agent_refreshes, expect,
                       new_run, seeded_run)

pytestmark = pytest.mark.browser
BOUND_MS = 30_000


def test_the_page_loads_and_refreshes_with_no_console_errors_or_failed_requests(
        demo, panel, watched):
    page = watched.page
    with page.expect_response(lambda r: r.url.startswith(f"{panel.url}/operations/agents"),
                              timeout=PANEL_REFRESH_MS):  # the first self-refresh
        page.goto(panel.url + "/operations")
        expect(page.get_by_role("heading", name="Operations")).to_be_visible()
        expect(page.locator("tr.ow-row")).to_have_count(9)
    expect(page.locator(f'tr[data-run-id="{seeded_run(demo, "critical")}"] .ow-silence')) \
        .to_contain_text("critical")
    assert watched.problems == []


def test_a_run_started_after_page_load_appears_and_a_finished_one_disappears(
        demo, open_panel):
    page = open_panel()
    page.evaluate("() => { window.owNotReloaded = true; }")
    refreshes = count_agent_refreshes(page)

    started = time.monotonic()
    rid = new_run(demo)
    row = page.locator(f'tr[data-run-id="{rid}"]')
    expect(row).to_be_visible(timeout=PANEL_REFRESH_MS)
    assert time.monotonic() - started < PANEL_REFRESH_MS / 1000
    expect(row.locator(".ow-agent")).to_contain_text("Archivist")
    expect(row.locator(".ow-status")).to_have_text("running")

    demo.control("POST", f"/runs/{rid}/finish", status="succeeded")
    expect(row).to_have_count(0, timeout=PANEL_REFRESH_MS)
    expect(page.locator("tr.ow-row")).to_have_count(9)  # the others stay
    assert page.evaluate("() => window.owNotReloaded") is True  # swapped, never reloaded
    assert refreshes["200"] >= 2


def test_a_failing_company_is_reported_and_the_other_companys_rows_stay(
        demo, open_panel, watched):
    page = open_panel()
    acme_rows = page.locator("tr.ow-row", has=page.locator(".ow-company", has_text="Acme Ops"))
    globex_rows = page.locator("tr.ow-row",
                               has=page.locator(".ow-company", has_text="Globex Research"))
    expect(acme_rows).to_have_count(6)
    expect(globex_rows).to_have_count(3)

    demo.control("POST", "/faults", companyId=GLOBEX, mode="500")
    error = page.locator(f'#ow-agents .ow-error[data-company="{GLOBEX}"]')
    # waits are bounds (a poll, however slow the machine), never measures
    expect(error).to_be_visible(timeout=BOUND_MS)
    expect(error).to_contain_text("Globex Research")
    expect(error).to_contain_text("500")
    expect(globex_rows).to_have_count(0)
    expect(acme_rows).to_have_count(6)
    assert page.locator(f'.ow-error[data-company="{ACME}"]').count() == 0
    # the strip may have seen the failure first and announced it (the panel did not yet);
    # its next refresh (every 15 s) leaves the announcing to the panel
    expect(page.get_by_role("alert")).to_have_count(1, timeout=BOUND_MS)
    expect(page.get_by_role("alert")).to_contain_text("Globex Research")
    assert watched.problems == []  # the panel itself answered 200


def test_a_company_failing_as_the_page_opens_is_announced_once_and_stated_twice(
        demo, panel, page):
    """The panel, the strip and the recent runs all say the company fails; a screen
    reader hears it once: one role="alert" (the panel's), the others plain status."""
    demo.control("POST", "/faults", companyId=GLOBEX, mode="500")
    page.goto(panel.url + "/operations")
    for where in ("#ow-agents", "#ow-attention", "#ow-recent-runs"):
        expect(page.locator(f'{where} .ow-error[data-company="{GLOBEX}"]')).to_contain_text(
            "Globex Research", timeout=BOUND_MS)
    alerts = page.get_by_role("alert")
    expect(alerts).to_have_count(1)
    expect(alerts).to_contain_text("500")
    assert alerts.evaluate("el => el.closest('section').id") == "ow-agents"
    for where in ("#ow-attention", "#ow-recent-runs"):
        expect(page.locator(f'{where} .ow-error[data-company="{GLOBEX}"]')).to_have_attribute(
            "role", "status")
