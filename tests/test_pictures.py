"""The drawing functions (opsweb/pictures/) on fixed data: where marks go, which class
colours them, empty data, one run, a run still live, mirroring for Hebrew, escaping,
and the size bounds (a compact strip ≤ 600 B, a day of 2,000 runs)."""
from __future__ import annotations

import gzip
import random
import re
import xml.etree.ElementTree as ET

from opsweb.pictures import fleet, strips
from opsweb.pictures.strips import Mark

NS = {"s": "http://www.w3.org/2000/svg"}
NOW = 1_800_000_000.0 - 1_800_000_000.0 % 86400 + 86400  # a UTC midnight
H = 3600.0


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def paths(svg: str) -> dict[str, str]:
    return {p.get("class"): p.get("d") for p in parse(svg).iter("{%s}path" % NS["s"])}


def rects(d: str) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) of each `M x y h w v h h -w z` in a path."""
    return [(int(x), int(y), int(w), int(h))
            for x, y, w, h in re.findall(r"M(-?\d+) (\d+)h(\d+)v(\d+)h-?\d+z", d)]


def test_a_day_strip_puts_each_run_at_its_minute_with_its_outcome_above_or_below():
    svg = strips.day_strip([Mark(NOW - 6 * H, NOW - 6 * H + 300, "succeeded"),
                            Mark(NOW - 2 * H, NOW - 2 * H + 90, "failed")], NOW, "Runs")
    root = parse(svg)
    assert root.get("role") == "img" and root.find("s:title", NS).text == "Runs"
    drawn = paths(svg)
    assert rects(drawn["ow-ok"]) == [(1080, 4, 5, 24)]   # 18:00, five minutes, above the line
    assert rects(drawn["ow-bad"]) == [(1320, 28, 2, 24)]  # 22:00, 90 s → 2 minutes, below
    assert [t.text for t in root.iter("{%s}text" % NS["s"])] == ["06:00", "12:00", "18:00"]


def test_a_day_strip_mirrors_time_in_hebrew_but_keeps_its_labels_left_to_right():
    svg = strips.day_strip([Mark(NOW - 6 * H, NOW - 6 * H + 300, "succeeded")], NOW, "ריצות",
                           rtl=True)
    assert rects(paths(svg)["ow-ok"]) == [(355, 4, 5, 24)]  # now is at the left edge
    root = parse(svg)
    assert root.get("direction") == "ltr"
    assert [(t.get("x"), t.text) for t in root.iter("{%s}text" % NS["s"])] == [
        ("1080", "06:00"), ("720", "12:00"), ("360", "18:00")]


def test_an_empty_day_has_its_axis_and_no_marks():
    drawn = paths(strips.day_strip([], NOW, "Runs"))
    assert set(drawn) == {"ow-grid", "ow-mid"}


def test_a_live_run_is_an_open_frame_that_reaches_now():
    svg = strips.day_strip([Mark(NOW - 30 * 60, None, "live")], NOW, "Runs")
    live = parse(svg).find("s:rect", NS)
    assert live.get("class") == "ow-live"
    assert (float(live.get("x")), float(live.get("width"))) == (1410, 30)
    later = parse(strips.day_strip([Mark(NOW - 30 * 60, None, "live")], NOW + 600, "Runs"))
    assert float(later.find("s:rect", NS).get("width")) == 40  # it grows with the clock


def test_runs_older_than_the_day_are_left_out_and_a_timeout_is_drawn_apart_from_a_failure():
    drawn = paths(strips.day_strip([Mark(NOW - 30 * H, NOW - 29 * H, "failed"),
                                    Mark(NOW - H, NOW - H + 60, "timed_out")], NOW, "Runs"))
    assert "ow-bad" not in drawn and rects(drawn["ow-late"]) == [(1380, 28, 1, 24)]


def _day_of(runs: int, seed: int = 24) -> list[Mark]:
    rng = random.Random(seed)
    outcomes = ["succeeded"] * 6 + ["failed", "timed_out", "cancelled"]
    return [Mark(t, t + rng.uniform(5, 120), rng.choice(outcomes))
            for t in sorted(rng.uniform(NOW - 24 * H, NOW) for _ in range(runs))]


def test_a_day_of_2000_runs_stays_under_12_kb_and_3_kb_compressed():
    svg = strips.day_strip(_day_of(2000), NOW, "Runs of an agent that runs every 43 s").encode()
    assert len(svg) < 12 * 1024 and len(gzip.compress(svg)) < 3 * 1024, len(svg)


def test_a_day_strip_grows_with_the_minutes_it_shows_not_with_the_runs():
    """Marks are joined per minute: ten times the runs cannot cost ten times the bytes;
    the worst case, outcomes alternating every minute, is bounded by 1,440 minutes."""
    assert len(strips.day_strip(_day_of(20000), NOW, "Runs")) < 24 * 1024
    flip = [Mark(NOW - 24 * H + 60 * i, NOW - 24 * H + 60 * i + 30, ("succeeded", "failed")[i % 2])
            for i in range(1440)]
    assert len(strips.day_strip(flip, NOW, "Runs")) < 24 * 1024


def test_the_compact_strip_lines_up_the_last_20_runs_newest_at_the_end():
    svg = strips.compact_strip(["failed"] * 3 + ["succeeded"] * 20, "Last runs")
    drawn = paths(svg)
    assert drawn["ow-ok"].count("M") == 20 and "ow-bad" not in drawn  # only the last 20
    svg = strips.compact_strip(["succeeded", "failed"], "Last runs")
    assert paths(svg) == {"ow-mid": "M0 6H100", "ow-ok": "M92 1v5", "ow-bad": "M97 6v5"}
    assert paths(strips.compact_strip(["succeeded", "failed"], "x", rtl=True)) == {
        "ow-mid": "M0 6H100", "ow-ok": "M7 1v5", "ow-bad": "M2 6v5"}
    assert paths(strips.compact_strip([], "No runs")) == {"ow-mid": "M0 6H100"}


def test_a_compact_strip_of_20_mixed_runs_with_a_long_hebrew_title_fits_in_600_bytes():
    title = "20 הריצות האחרונות של סוכן בשם ארוך מאוד: 12 הצליחו, 5 נכשלו, 3 בוטלו"
    svg = strips.compact_strip(["succeeded", "failed", "timed_out", "cancelled", "live"] * 4, title)
    assert len(svg.encode()) <= 600, len(svg.encode())


def test_text_inside_a_picture_is_escaped():
    svg = strips.compact_strip(["failed"], 'Agent <script>"x"</script>')
    assert "<script>" not in svg and parse(svg).find("s:title", NS).text == 'Agent <script>"x"</script>'


def test_runs_per_hour_stack_by_outcome_with_failures_hatched():
    hours = [{} for _ in range(24)]
    hours[23] = {"succeeded": 3, "failed": 2}
    svg = fleet.runs_per_hour(hours, NOW - 24 * H, "Runs per hour",
                              {"succeeded": "succeeded", "failed": "failed"})
    root = parse(svg)
    shapes = {p.get("class"): p for p in root.iter("{%s}path" % NS["s"]) if p.get("d", "").endswith("z")}
    ok, bad = shapes["ow-ok"].get("d"), shapes["ow-bar-bad"].get("d")  # hatched (opsweb.css)
    assert root.find(".//s:pattern[@id='ow-pat-bad']", NS) is not None
    # the scale tops at 5: three successes are 3/5 of the 140 units, two failures on top
    assert ok == "M654.3 82h24.7v84h-24.7z" and bad == "M654.3 26h24.7v56h-24.7z"
    assert [t.text for t in root.iter("{%s}text" % NS["s"])][:3] == ["0", "2.5", "5"]


def test_an_empty_fleet_chart_still_has_its_frame():
    svg = fleet.runs_per_hour([{} for _ in range(24)], NOW - 24 * H, "Runs per hour", {})
    assert parse(svg).get("role") == "img" and "ow-ok" not in paths(svg)


def test_the_success_rate_joins_consecutive_hours_and_breaks_at_hours_without_runs():
    rates = [None] * 24
    rates[0], rates[1], rates[3] = 1.0, 0.5, 0.0
    svg = fleet.success_rate(rates, NOW - 24 * H, "Success rate")
    assert paths(svg)["ow-line"] == "M53.3 26L80 96M133.3 166"
    assert len(parse(svg).findall(".//s:circle", NS)) == 3


def test_live_runs_break_where_nobody_was_reading_and_mark_where_observing_began():
    samples = [(NOW - 3 * H, 2), (NOW - 3 * H + 60, 4), (NOW - H, 1)]
    drawn = paths(fleet.live_runs(samples, NOW - 24 * H, NOW, "Live runs"))
    assert drawn["ow-line"].count("M") == 2  # a two-hour silence is a gap
    assert drawn["ow-since"].startswith("M600 ")  # 21 h into the 24
    assert fleet.nice_top(0) == 1 and fleet.nice_top(3) == 5 and fleet.nice_top(11) == 20


SVG = "{%s}" % NS["s"]


def test_spend_per_hour_draws_a_band_per_company_on_one_scale_mirrored_in_hebrew():
    windows = ["7 d", "24 h", "5 h"]
    rows = [("Acme <b>Ops</b>", [0.5, 1.0, 2.0]), ("Globex", [0.0, 0.25, 0.0])]
    svg = fleet.spend_per_hour(rows, windows, "Spend per hour")
    root = parse(svg)
    assert root.get("role") == "img" and root.find(SVG + "title").text == "Spend per hour"
    bars = [(float(r.get("x")), float(r.get("width"))) for r in root.iter(SVG + "rect")]
    assert len(bars) == 6 and bars[2][1] == 2 * bars[1][1] == 4 * bars[0][1]  # one scale
    assert bars[3][1] == 1  # nothing spent: a sliver, still there to be read with its words
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Acme <b>Ops</b>" in texts and "$2.00" in texts and "5 h" in texts  # escaped, parsed back
    assert "<b>" not in svg
    mirrored = parse(fleet.spend_per_hour(rows, windows, "Spend per hour", rtl=True))
    flipped = [(float(r.get("x")), float(r.get("width"))) for r in mirrored.iter(SVG + "rect")]
    assert all(abs((x + w) - (fleet.WIDTH - fx)) < 0.2 for (x, w), (fx, _) in zip(flipped, bars))
    assert all(t.get("direction") == "rtl" for t in mirrored.iter(SVG + "text")
               if not t.text.startswith("$"))  # words in their own order, numbers left to right
    assert parse(fleet.spend_per_hour([], windows, "none")).get("role") == "img"
