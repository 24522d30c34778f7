"""The README's two pictures, taken from the live demo: the panel, and the log dialog
on a claude_local run with tool calls. They land in artifacts/screenshots/ on every
run; OPSWEB_UPDATE_DOCS=1 also writes docs/panel.png and docs/dialog.png.

They also check what the pictures promise: every badge carries text (colour is never
the only signal) and the transcript styles each kind of line its own way."""
import os
import shutil

import pytest

from .conftest import ROOT, SCREENSHOTS, expect, say, seeded_run

pytestmark = pytest.mark.browser

UPDATE_DOCS = os.environ.get("OPSWEB_UPDATE_DOCS") == "1"


def keep(page, name: str, **options) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"readme-{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide", **options)
    if UPDATE_DOCS:
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(path, ROOT / "docs" / f"{name}.png")


def test_readme_pictures_of_the_panel_and_the_log_dialog(demo, panel_for, page, tmp_path):
    claude = seeded_run(demo, "claudeRunning")
    run = demo.world.runs[claude]
    # all of its script but the final result: a live run, with tool calls
    remaining = len(run.script.steps) - run.step_index - 1
    demo.control("POST", f"/runs/{claude}/play", steps=remaining)
    say(demo, claude, "npm warn deprecated inflight@1.0.6: not supported", stream="stderr")
    # its own instance folder: the audit trail shows no other test's actions
    panel = panel_for(demo.url, OPSWEB_INSTANCE_DIR=str(tmp_path))
    page.set_viewport_size({"width": 1440, "height": 800})
    page.goto(panel.url + "/operations")
    expect(page.locator("tr.ow-row")).to_have_count(9)

    for badge in page.locator(".ow-badge").all():
        assert badge.inner_text().strip(), badge.evaluate("el => el.outerHTML")
    # the rows' strips come with the first poll after the history has been read
    expect(page.locator("#ow-rows .ow-pic-compact").first).to_be_visible(timeout=10_000)
    keep(page, "panel")

    page.locator(f"#ow-run-{claude} .ow-do-log").click()
    log = page.locator("#ow-log-entries")
    expect(log.locator(".ow-entry-tool_call").first).to_be_visible()
    expect(page.locator("#ow-events-list .ow-event").first).to_be_visible()
    kinds = ["ow-entry-assistant", "ow-entry-tool_call", "ow-entry-tool_result",
             "ow-entry-stderr", "ow-entry-system"]
    colours = {k: log.locator(f".{k}:not(.ow-entry-error)").first.evaluate(
        "el => getComputedStyle(el).color") for k in kinds}
    assert len(set(colours.values())) == len(kinds), colours
    log.locator(".ow-entry-tool_call summary").first.click()  # one call opened up
    log.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.mouse.move(0, 0)
    keep(page, "dialog")
