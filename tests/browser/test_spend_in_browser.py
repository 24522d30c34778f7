"""The spend page in a real browser, from the panel's header link: the demo's two
companies, Inbox Poller marked near its budget, Paperclip's budget warning under its
table, and the figures left to right. A picture for the README."""
import pytest

from .conftest import expect
from .test_readme_screenshots import keep

pytestmark = pytest.mark.browser
INBOX_POLLER = "a9e00025-0000-4000-8000-000000000025"


def test_the_spend_page_from_the_panels_header(open_panel):
    page = open_panel()
    page.get_by_role("link", name="Spend").click()
    expect(page).to_have_title("Spend · opsweb")
    expect(page.locator("table.ow-spend-table caption")).to_have_text(["Acme Ops",
                                                                        "Globex Research"])
    row = page.locator(f'tr[data-agent-id="{INBOX_POLLER}"]')
    expect(row).to_have_class("ow-spend-agent ow-near-budget")
    expect(row.locator("td").nth(2)).to_have_text("86.08 %")
    expect(page.locator(".ow-spend-incident")).to_contain_text("budget warning")
    figure = row.locator('bdi[dir="ltr"]').first
    assert figure.evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.set_viewport_size({"width": 1100, "height": 640})
    keep(page, "spend", full_page=True)
