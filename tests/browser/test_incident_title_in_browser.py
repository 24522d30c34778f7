"""The page's title and favicon tell a background tab how many incidents are open, and
follow each panel poll; a browser notification comes only after the operator opted in
with the button (asked on that press, never on load). The incidents are a small
stand-in injected into an in-process server."""
import pytest

from tests.conftest import ServedApp

from .conftest import PANEL_REFRESH_MS, expect

pytestmark = pytest.mark.browser

# Records what the page asks of the Notification API instead of showing anything.
FAKE_NOTIFICATIONS = """
  window.owAsked = 0; window.owShown = [];
  window.Notification = function (title, options) { window.owShown.push([title, options.body]); };
  window.Notification.permission = "default";
  window.Notification.requestPermission = function () {
    window.owAsked += 1; window.Notification.permission = "granted";
    return Promise.resolve("granted");
  };
"""


class Incidents:
    def __init__(self, count: int):
        self.count = count

    def open_count(self) -> int:
        return self.count


@pytest.fixture
def served(on_fake):
    app = on_fake().app
    app.extensions["opsweb"].incidents = Incidents(2)
    server = ServedApp(app)
    yield server, app.extensions["opsweb"].incidents
    server.stop()


def favicon(page) -> str:
    return page.evaluate("() => document.querySelector('link[rel~=icon]').href")


def test_the_title_counts_open_incidents_and_changes_when_one_resolves(served, watched):
    server, incidents = served
    page = watched.page
    page.add_init_script(FAKE_NOTIFICATIONS)
    page.goto(server.url + "/operations")
    expect(page).to_have_title("(2) Operations · opsweb")
    assert favicon(page).startswith("data:image/svg+xml")  # the dot

    incidents.count = 1  # one resolves: the next poll (a 204, the fleet unchanged) says so
    expect(page).to_have_title("(1) Operations · opsweb", timeout=PANEL_REFRESH_MS)
    incidents.count = 0
    expect(page).to_have_title("Operations · opsweb", timeout=PANEL_REFRESH_MS)
    assert favicon(page) == "data:,"
    assert page.evaluate("() => window.owAsked") == 0  # never asked on load
    assert watched.problems == []


def test_a_browser_notification_comes_only_after_the_button_opted_in(served, watched):
    server, incidents = served
    page = watched.page
    page.add_init_script(FAKE_NOTIFICATIONS)
    page.goto(server.url + "/operations")
    button = page.locator("#ow-notify-browser")
    expect(button).to_have_text("Notify me in this browser when an incident opens")
    incidents.count = 3  # a new incident, before opting in: nothing shown
    expect(page).to_have_title("(3) Operations · opsweb", timeout=PANEL_REFRESH_MS)
    assert page.evaluate("() => [window.owAsked, window.owShown.length]") == [0, 0]

    button.click()
    expect(button).to_have_text("Browser notifications on (press to turn off)")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => window.owAsked") == 1
    incidents.count = 4
    expect(page).to_have_title("(4) Operations · opsweb", timeout=PANEL_REFRESH_MS)
    assert page.evaluate("() => window.owShown") == [["An incident opened", "Open incidents: 4"]]
    incidents.count = 2  # one resolving is no news worth a notification
    expect(page).to_have_title("(2) Operations · opsweb", timeout=PANEL_REFRESH_MS)
    assert len(page.evaluate("() => window.owShown")) == 1
    assert watched.problems == []
