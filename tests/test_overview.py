"""The fleet overview and the strips, on the in-memory fake platform and a frozen
clock: runs bucketed by the hour, the history page's limit said, one company's failure
beside the others, live samples, the agent card's own read of its day, the compact
strips beside attention items and rows, bad input, Hebrew."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from bs4 import BeautifulSoup

from opsweb import create_app
from opsweb import platform_port as port
from opsweb.fleet import overview
from opsweb.fleet.history import HISTORY_PAGE, HistoryReader
from opsweb.fleet.live import FleetReader
from opsweb.fleet.observed import LiveSamples
from opsweb.runtime.clock import Clock
from tests.fake_platform import FakePlatform

NOW = datetime(2026, 11, 30, 12, 30, tzinfo=timezone.utc)
A, B = "c0ffee00-0000-4000-8000-0000000000aa", "c0ffee00-0000-4000-8000-0000000000bb"
HEBREW = {"Accept-Language": "he"}


def agent_id(n: int) -> str:
    return f"a9e00000-0000-4000-8000-0000000001{n:02d}"


def iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def run(n: int, agent: int, status: str, minutes_ago: float, company: str = A,
        seconds: float = 30) -> dict:
    started = NOW - timedelta(minutes=minutes_ago)
    return {"id": f"b0000000-0000-4000-8000-{company[-2:]}00{agent:03d}{n:05d}",
            "companyId": company, "agentId": agent_id(agent), "status": status,
            "error": "boom" if status == "failed" else None, "startedAt": iso(started),
            "createdAt": iso(started),
            "finishedAt": iso(started + timedelta(seconds=seconds)) if status not in (
                "running", "queued") else None}


def fake_of(runs: list[dict], agents: dict[int, str] | None = None) -> FakePlatform:
    fake = FakePlatform(companies=[{"id": A, "name": "Acme"}, {"id": B, "name": "Globex"}])
    for company in (A, B):
        fake.history[company] = sorted((r for r in runs if r["companyId"] == company),
                                       key=lambda r: r["startedAt"], reverse=True)
    fake.agents = {agent_id(n): {"id": agent_id(n), "companyId": A, "name": name,
                                 "status": "idle"} for n, name in (agents or {1: "Bot"}).items()}
    return fake


def readers(fake: FakePlatform):
    clock = Clock(frozen_at=NOW.timestamp())
    return (FleetReader(fake, (), deadline=2.0, clock=clock),
            HistoryReader(fake, deadline=2.0, clock=clock), clock)


def app_on(fake: FakePlatform, tmp_path, clock: Clock | None = None):
    app = create_app({"OPSWEB_COMPANIES": (), "OPSWEB_PAPERCLIP_TOKEN": None,
                      "OPSWEB_AUDIT_URL": f"sqlite:///{tmp_path}/audit.db"},
                     platform=fake, clock=clock or Clock(frozen_at=NOW.timestamp()))
    return app.test_client()


def test_finished_runs_are_counted_in_the_hour_they_ended_with_each_hours_success_rate():
    fake = fake_of([run(1, 1, "succeeded", 10), run(2, 1, "failed", 20), run(3, 1, "succeeded", 70),
                    run(4, 1, "succeeded", 25 * 60), run(5, 1, "running", 1)])
    fleet, history, clock = readers(fake)
    view = overview.read(fleet, history, clock.now())
    assert view.start == datetime(2026, 11, 29, 13, tzinfo=timezone.utc) and len(view.hours) == 24
    last, before = view.hours[-1], view.hours[-2]  # 12:00-13:00 and 11:00-12:00
    assert last.counts == {"succeeded": 1, "failed": 1} and last.success_rate == 0.5
    assert before.counts == {"succeeded": 1} and before.success_rate == 1
    assert sum(h.total for h in view.hours) == 3  # 25 h ago and the live run are not counted
    assert view.hours[0].success_rate is None and view.counted_from is None
    twin = view.to_json()
    assert twin["hours"][-1] == {"hour": "2026-11-30T12:00:00Z", "succeeded": 1, "failed": 1,
                                 "cancelled": 0, "timedOut": 0, "interrupted": 0, "total": 2,
                                 "successRate": 0.5}


def test_a_company_with_more_runs_than_the_page_says_from_when_it_is_counted():
    busy = [run(i, 1, "succeeded", i * 2) for i in range(HISTORY_PAGE + 20)]
    fleet, history, clock = readers(fake_of(busy))
    view = overview.read(fleet, history, clock.now())
    oldest = NOW - timedelta(minutes=(HISTORY_PAGE - 1) * 2) + timedelta(seconds=30)
    assert view.counted_from == iso(oldest) and sum(h.total for h in view.hours) == HISTORY_PAGE


def test_one_company_failing_is_an_error_beside_the_others_counts():
    fake = fake_of([run(1, 1, "succeeded", 5), run(2, 2, "failed", 5, company=B)])
    fake.fail("list_heartbeat_runs", port.UpstreamError("Paperclip failed (500)"), only=B)
    fleet, history, clock = readers(fake)
    view = overview.read(fleet, history, clock.now())
    assert view.errors == [{"companyId": B, "companyName": "Globex", "error": "Paperclip failed (500)"}]
    assert view.hours[-1].counts == {"succeeded": 1}


def test_live_samples_keep_the_most_seen_in_each_minute_and_when_looking_began():
    samples = LiveSamples(keep=3)
    t = NOW.timestamp()
    samples.note(t, 2, 1, True)
    samples.note(t + 10, 5, 0, False)
    samples.note(t + 70, 1, 0, True)
    samples.note(t + 5, 9, 9, True)  # late for its minute, already passed: not rewritten
    assert [(s.running, s.queued, s.complete) for s in samples.since(t)] == [(5, 1, False), (1, 0, True)]
    assert samples.first == t
    for minute in range(2, 6):
        samples.note(t + 60 * minute, minute, 0, True)
    assert [s.running for s in samples.since(0)] == [3, 4, 5]  # a ring: the oldest go


def test_every_fleet_read_is_a_sample_for_the_live_chart():
    fake = fake_of([])
    fake.live_runs[A] = [run(1, 1, "running", 3), run(2, 1, "queued", 1)]
    fleet, history, clock = readers(fake)
    fleet.read()
    view = overview.read(fleet, history, clock.now())
    assert [(s.running, s.queued, s.complete) for s in view.samples] == [(1, 1, True)]
    assert view.observing_since == iso(NOW)
    assert view.live_hours()[-1] == (datetime(2026, 11, 30, 12, tzinfo=timezone.utc), 1, 1)


def test_the_overview_page_fragment_and_twin(tmp_path):
    from tests.test_spend import windows
    fake = fake_of([run(1, 1, "succeeded", 10), run(2, 1, "failed", 20)])
    fake.spend[A] = {"windowSpend": windows(1000, 2900, 9620)}  # cents in 5 h, 24 h, 7 d
    client = app_on(fake, tmp_path)
    twin = client.get("/api/operations/overview").get_json()
    assert set(twin) == {"from", "to", "hours", "liveRuns", "countedFrom", "companies",
                         "spendPerHour", "errors"}
    acme = next(c for c in twin["spendPerHour"] if c["companyId"] == A)
    assert [(w["fromHoursAgo"], w["toHoursAgo"], round(w["usdPerHour"], 2))
            for w in acme["windows"]] == [(168, 24, 0.47), (24, 5, 1.0), (5, 0, 2.0)]
    page = BeautifulSoup(client.get("/operations/overview").data, "html.parser")
    assert page.select_one("title").text.startswith("Fleet overview")
    assert [s["src"].split("?")[0].rsplit("/", 1)[1] for s in page.select("script")] == [
        "htmx-2.0.11.min.js"]  # no panel scripts: a lighter first load
    charts = page.select("#ow-overview svg[role=img]")
    assert [c.title.text for c in charts] == [
        "Finished runs per hour by outcome, the last 24 hours",
        "The share of each hour's finished runs that succeeded",
        "Runs live across the fleet, as this opsweb saw them",
        "Each company's spend in dollars per hour over three windows ending now"]
    spend_row = next(tr for tr in page.select("#ow-chart-spend tbody tr") if tr.th.text == "Acme")
    assert [td.text for td in spend_row.select("td")] == ["$0.47", "$1.00", "$2.00"]
    bars = page.select("#ow-chart-spend svg rect.ow-spend-bar")
    assert len(bars) == 6 and float(bars[2]["width"]) > float(bars[1]["width"]) > float(
        bars[0]["width"])  # Acme's last 5 h burn hardest, on the scale all companies share
    rows = page.select("#ow-chart-hours tbody tr")
    assert len(rows) == 24 and [td.text for td in rows[-1].select("td")] == [
        "1", "1", "0", "0", "0", "50%"]
    fragment = client.get("/operations/overview", headers={"HX-Request": "true"}).data
    assert fragment.lstrip().startswith(b"<section id=\"ow-overview\"")


def test_bad_input_to_the_overview_is_a_400_that_says_why(tmp_path):
    client = app_on(fake_of([]), tmp_path)
    for path in ("/api/operations/overview?hours=48", "/operations/overview?x=1"):
        resp = client.get(path)
        assert resp.status_code == 400 and b"Unknown query parameter" in resp.data


def test_in_hebrew_time_runs_right_to_left_and_numbers_stay_left_to_right(tmp_path):
    client = app_on(fake_of([run(1, 1, "succeeded", 10)]), tmp_path)
    page = BeautifulSoup(client.get("/operations/overview", headers=HEBREW).data, "html.parser")
    assert page.html["dir"] == "rtl"
    hours = page.select_one("#ow-chart-hours svg")
    assert hours["direction"] == "ltr" and hours.title.text.startswith("ריצות שהסתיימו")
    bar = hours.select_one("path.ow-ok")["d"]
    assert float(re.match(r"M([\d.]+)", bar).group(1)) < 100  # this hour is at the left
    assert "עכשיו משמאל" in page.select_one(".ow-chart-note").text


def test_the_agent_card_draws_its_day_from_its_own_runs_and_says_what_it_could_not_read(tmp_path):
    fake = fake_of([run(1, 1, "succeeded", 60), run(2, 1, "failed", 30), run(3, 2, "failed", 5)],
                   {1: "Bot", 2: "Other"})
    fake.live_runs[A] = [run(9, 1, "running", 4)]
    client = app_on(fake, tmp_path)
    card = BeautifulSoup(client.get(f"/operations/agents/{agent_id(1)}").data, "html.parser")
    strip = card.select_one("#ow-card-day svg[role=img]")
    assert strip.title.text == "Runs of Bot in the last 24 hours"
    assert {p["class"][0] for p in strip.select("path")} >= {"ow-ok", "ow-bad"}
    assert strip.select_one("rect.ow-live")  # the live run, open up to now
    assert card.select_one("#ow-card-day figcaption").text.startswith("1 succeeded, 1 failed, 1 running")
    assert ("list_heartbeat_runs", A, agent_id(1), 500) in fake.calls  # its own runs, once
    day = client.get(f"/api/operations/agents/{agent_id(1)}").get_json()["lastDay"]
    assert day["knownFrom"] is None and [r["outcome"] for r in day["runs"]] == ["failed", "succeeded"]
    fake.fail("list_heartbeat_runs", port.Timeout("Paperclip did not answer in 3 s"), only=A)
    client = app_on(fake, tmp_path)
    card = BeautifulSoup(client.get(f"/operations/agents/{agent_id(1)}").data, "html.parser")
    assert card.select_one("#ow-card-day svg[role=img]")  # the card still opens, with its strip


def test_attention_items_and_live_rows_carry_their_agents_last_runs_in_600_bytes(tmp_path):
    loop = [run(i, 1, "failed", 30 - i) for i in range(25)]
    fake = fake_of(loop)
    fake.live_runs[A] = [run(99, 1, "running", 1)]
    client = app_on(fake, tmp_path)
    client.get("/operations/attention", headers={"HX-Request": "true"})  # the history is held
    attention = BeautifulSoup(client.get("/operations/attention", headers={"HX-Request": "true"}).data,
                              "html.parser")
    strip = attention.select_one('li[data-kind="failure_loop"] svg.ow-pic-compact')
    assert strip.title.text == "The last 20 runs of Bot: 20 failed"
    assert strip.select_one("path.ow-bad")["d"].count("M") == 20
    panel = client.get("/operations/agents", headers={"HX-Request": "true"}).data.decode()
    svgs = re.findall(r"<svg class=\"ow-pic ow-pic-compact\".*?</svg>", panel)
    assert len(svgs) == 1 and len(svgs[0].encode()) <= 600


def test_a_polling_panel_gets_its_rows_strips_once_the_history_arrives(tmp_path):
    fake = fake_of([run(i, 1, "failed", 30 - i) for i in range(5)])
    fake.live_runs[A] = [{**run(99, 1, "running", 1), "agentName": "Bot"}]
    fake.fail("list_heartbeat_runs", port.Timeout("Paperclip did not answer in 3 s"))
    clock = Clock(frozen_at=NOW.timestamp())
    client = app_on(fake, tmp_path, clock)
    first = client.get("/operations/agents", headers={"HX-Request": "true"}).data.decode()
    version = re.search(r'"X-Opsweb-Panel-Version": "(\w+)"', first).group(1)
    assert "ow-pic-compact" not in first  # no history held yet: no strip
    fake.fail("list_heartbeat_runs", None)
    clock.advance(3)  # past the 2 s an upstream error is shared
    client.get("/operations/attention", headers={"HX-Request": "true"})  # now it is held
    poll = client.get("/operations/agents", headers={"HX-Request": "true",
                                                     "X-Opsweb-Panel-Version": version})
    assert poll.status_code == 200  # not a 204: what the rows show changed
    assert "The last 5 runs of Bot: 5 failed" in poll.data.decode()  # the row, swapped


def test_the_overview_reads_a_day_of_a_busy_company_not_the_panels_page(tmp_path):
    """300 runs in 10 hours: the panel's shared page (100) is 3 h of them; the overview
    asks for a day's worth (1,000) and counts them all."""
    fake = fake_of([run(i, 1, "succeeded", i * 2) for i in range(300)])
    client = app_on(fake, tmp_path)
    twin = client.get("/api/operations/overview").get_json()
    assert sum(h["total"] for h in twin["hours"]) == 300 and twin["countedFrom"] is None
    assert ("list_heartbeat_runs", A, None, overview.DAY_PAGE) in fake.calls
    page = client.get("/operations/overview").get_data(as_text=True)
    assert "not counted" not in page
