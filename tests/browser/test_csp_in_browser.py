"""htmx really runs under opsweb's Content-Security-Policy (scripts only from the app,
no eval, no inline styles): the panel refreshes itself and the log dialog opens with
no CSP violation, while an inline script planted in the page is blocked."""
import pytest

from .conftest import PANEL_REFRESH_MS, expect

pytestmark = pytest.mark.browser

COLLECT = """
window.owCsp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.owCsp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_htmx_swaps_and_the_log_dialog_work_with_no_csp_violation(demo, panel, watched):
    page = watched.page
    page.add_init_script(COLLECT)
    with page.expect_response(lambda r: r.url.startswith(f"{panel.url}/operations/agents"),
                              timeout=PANEL_REFRESH_MS):  # htmx's own poll, swapped in
        page.goto(panel.url + "/operations")
        expect(page.locator("tr.ow-row").first).to_be_visible()
    page.locator("tr.ow-row button.ow-do-log").first.click()
    dialog = page.locator("dialog#ow-log-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#ow-log-entries")).to_be_attached()
    assert page.evaluate("() => window.owCsp") == []
    assert watched.problems == []

    # the policy is really enforced: an inline script planted in the page never runs
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.owInline = 1'; document.body.appendChild(s); }""")
    page.wait_for_function("() => window.owCsp.length > 0")
    assert page.evaluate("() => window.owInline") is None
    assert page.evaluate("() => window.owCsp")[0].startswith("script-src")
    watched.problems.clear()  # the planted script's console error is the expected one
