"""Notifications in the app: the twin and the page list the deliveries (the sender
thread delivering for real to a local receiver), the metrics count them, the panel's
poll carries the open-incident count for the title, and bad settings stop opsweb with
one line, exit 2."""
import time

import pytest

from cli_process import opsweb_env, run
from opsweb import create_app
from opsweb.settings import SettingError
from test_cli_settings import cli, one_line  # noqa: F401  (a fixture)
from webhook_receiver import Receiver

SECRET = "a-test-secret-of-some-length"
LOOP = {"id": "inc-1", "kind": "failure_loop", "agentName": "Archivist"}


class Incidents:
    """A stand-in for the guard rails' incidents: only what the page reads."""

    def __init__(self, count):
        self.count = count

    def open_count(self) -> int:
        if isinstance(self.count, Exception):
            raise self.count
        return self.count


@pytest.fixture
def with_webhooks(on_fake):
    made = []

    def make(*statuses, creds=""):
        receiver = Receiver(statuses)
        url = receiver.url.replace("http://", f"http://{creds}") + "/hook/T0KEN"
        app = on_fake(OPSWEB_WEBHOOK_URLS=(url,), OPSWEB_WEBHOOK_SECRET=SECRET)
        made.append((receiver, app))
        return receiver, app
    yield make
    for receiver, app in made:
        app.app.extensions["opsweb"].notifications.stop()
        receiver.stop()


def settled(app, status: str, attempts: int = 1, seconds: float = 20) -> dict:
    """The twin, once its newest delivery has `status` after `attempts` (the sender
    runs in its own thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        twin = app.get("/api/operations/notifications").get_json()
        newest = twin["deliveries"][0] if twin["deliveries"] else {}
        answered = newest.get("lastStatus") is not None or newest.get("lastError")
        if newest.get("status") == status and newest.get("attempts") == attempts and answered:
            return twin
        time.sleep(0.05)
    raise AssertionError(f"no {status} delivery after {attempts} attempts: {twin}")


def test_the_twin_and_the_page_list_deliveries_without_credentials(with_webhooks):
    receiver, app = with_webhooks(creds="ops:pa55@")
    app.app.extensions["opsweb"].notifications.publish("incident.opened", incident=LOOP,
                                                       text="Failure loop: Archivist")
    (got,) = receiver.wait_for(1)
    assert got.signed_with(SECRET)
    twin = settled(app, "delivered")
    shown = receiver.url + "/hook/…"
    assert twin["receivers"] == [shown] and twin["pending"] == 0
    (delivery,) = twin["deliveries"]
    assert delivery == {"eventId": got.event_id, "event": "incident.opened",
                        "at": delivery["at"], "receiver": shown,
                        "text": "Failure loop: Archivist", "status": "delivered", "attempts": 1,
                        "lastAt": delivery["at"], "lastStatus": 200, "lastError": None,
                        "nextAt": None}
    page = app.soup("/operations/notifications")
    row = page.select_one(f'tr.ow-delivery[data-event-id="{got.event_id}"]')
    assert row["data-status"] == "delivered" and shown in row.text
    assert "Archivist" in row.text and "incident opened" in row.text
    whole = app.get("/operations/notifications").get_data(as_text=True)
    assert whole.startswith("<!doctype html>") and 'id="ow-notifications"' in whole
    for text in (whole, str(twin)):
        assert "pa55" not in text and "T0KEN" not in text
    assert page.select_one("#ow-notify-browser") is not None
    operations = app.get("/operations").get_data(as_text=True)
    assert 'hx-get="/operations/notifications"' in operations


def test_metrics_count_deliveries_by_outcome_and_what_is_pending(with_webhooks):
    receiver, app = with_webhooks(500)
    app.app.extensions["opsweb"].notifications.publish("incident.opened", incident=LOOP,
                                                       text="Loop")
    receiver.wait_for(1)
    assert settled(app, "pending")["deliveries"][0]["lastError"] == "answered 500"
    metrics = app.get("/metrics").get_data(as_text=True)
    assert 'opsweb_notifications_total{outcome="retried"} 1.0' in metrics
    assert 'opsweb_notifications_total{outcome="delivered"} 0.0' in metrics
    assert "opsweb_notifications_pending 1.0" in metrics
    app.clock.advance(1)  # its backoff passes on the app's clock: the next try is a 200
    settled(app, "delivered", attempts=2)
    metrics = app.get("/metrics").get_data(as_text=True)
    assert 'opsweb_notifications_total{outcome="delivered"} 1.0' in metrics
    assert "opsweb_notifications_pending 0.0" in metrics


@pytest.mark.parametrize("query, said", [
    ("limit=0", "limit must be between 1 and 200"),
    ("limit=abc", "limit must be a whole number"),
    ("since=1", "Unknown query parameter: since"),
])
def test_bad_parameters_are_a_400(inproc, query, said):
    for path in ("/api/operations/notifications", "/operations/notifications"):
        resp = inproc.get(f"{path}?{query}")
        assert resp.status_code == 400 and said in resp.get_data(as_text=True)


def test_the_panel_poll_and_the_page_title_carry_the_open_incident_count(inproc):
    poll = {"HX-Request": "true"}  # without it /operations/agents is the page
    assert inproc.get("/operations/agents", headers=poll).headers["X-Opsweb-Open-Incidents"] == "0"
    assert "<title>Operations · opsweb</title>" in inproc.get("/operations").get_data(as_text=True)
    inproc.app.extensions["opsweb"].incidents = Incidents(3)
    first = inproc.get("/operations/agents", headers={"HX-Request": "true"})
    assert first.headers["X-Opsweb-Open-Incidents"] == "3"
    version = first.get_data(as_text=True).split('"X-Opsweb-Panel-Version": "')[1].split('"')[0]
    unchanged = inproc.get("/operations/agents", headers={"HX-Request": "true",
                                                          "X-Opsweb-Panel-Version": version})
    assert unchanged.status_code == 204 and unchanged.headers["X-Opsweb-Open-Incidents"] == "3"
    page = inproc.get("/operations").get_data(as_text=True)
    assert "<title>(3) Operations · opsweb</title>" in page
    assert 'data-ow-open-incidents="3"' in page
    inproc.app.extensions["opsweb"].incidents = Incidents(RuntimeError("store away"))
    broken = inproc.get("/operations/agents", headers=poll)
    assert broken.status_code == 200 and "X-Opsweb-Open-Incidents" not in broken.headers


@pytest.mark.parametrize("env, named, accepts", [
    ({"OPSWEB_WEBHOOK_URLS": "hooks.example.com/x/T0KEN", "OPSWEB_WEBHOOK_SECRET": "s"},
     "OPSWEB_WEBHOOK_URLS", "has no scheme"),
    ({"OPSWEB_WEBHOOK_URLS": "http://ok.example.com,ftp://u:pw@files/T0KEN",
      "OPSWEB_WEBHOOK_SECRET": "s"}, "OPSWEB_WEBHOOK_URLS", "URL 2 has another scheme"),
    ({"OPSWEB_WEBHOOK_URLS": "https://hooks.example.com/T0KEN"}, "OPSWEB_WEBHOOK_SECRET",
     "must be set when OPSWEB_WEBHOOK_URLS is"),
    ({"OPSWEB_WEBHOOK_URLS": "https://hooks.example.com/T0KEN", "OPSWEB_WEBHOOK_SECRET": "  "},
     "OPSWEB_WEBHOOK_SECRET", "must be set when OPSWEB_WEBHOOK_URLS is"),
    ({"OPSWEB_WEBHOOK_FORMAT": "xml"}, "OPSWEB_WEBHOOK_FORMAT", "one of opsweb, slack"),
])
def test_bad_webhook_settings_are_one_line_and_exit_2(cli, env, named, accepts):  # noqa: F811
    done = cli("serve", **env)
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert line.startswith(f"opsweb: {named}") and accepts in line, line
    assert "T0KEN" not in line and "pw" not in line  # a refused URL is not repeated


def test_the_real_command_refuses_a_webhook_url_without_a_scheme(tmp_path):
    done = run("serve", env=opsweb_env(tmp_path, OPSWEB_WEBHOOK_URLS="127.0.0.1:9000/hook",
                                       OPSWEB_WEBHOOK_SECRET="s"))
    assert done.returncode == 2 and done.stdout == ""
    assert one_line(done.stderr).startswith("opsweb: OPSWEB_WEBHOOK_URLS must be")


def test_a_host_apps_own_config_is_checked_too(tmp_path):
    with pytest.raises(SettingError, match="OPSWEB_WEBHOOK_SECRET must be set"):
        create_app({"OPSWEB_AUDIT_URL": f"sqlite:///{tmp_path}/a.db",
                    "OPSWEB_WEBHOOK_URLS": "http://127.0.0.1:9/hook"})


def test_the_table_reads_in_hebrew_with_its_errors_translated(with_webhooks):
    receiver, app = with_webhooks(500)
    app.app.extensions["opsweb"].notifications.publish("incident.opened", incident=LOOP,
                                                       text="לולאת כישלונות: Archivist")
    receiver.wait_for(1)
    settled(app, "pending")
    page = app.get("/operations/notifications", headers={"HX-Request": "true",
                                                         "Accept-Language": "he"})
    text = page.get_data(as_text=True)
    assert 'dir="rtl"' in text and "התראות" in text and "ממתין" in text
    assert "ענה \u2068500\u2069" in text  # "answered 500", the status isolated
    assert "answered" not in text and "לולאת כישלונות: Archivist" in text
