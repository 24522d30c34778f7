"""What a live row says (fleet/row_state.py), how recently finished runs fold their
repeats (history.repeats), and that faint text stays readable (WCAG AA 4.5:1)."""
import re
from dataclasses import replace
from pathlib import Path

from opsweb.fleet import row_state
from opsweb.fleet.history import FinishedRun, repeats
from opsweb.fleet.live import Row

CSS = Path(__file__).resolve().parents[1] / "opsweb" / "static" / "opsweb.css"

ROW = Row(run_id="r", company_id="c", company_name="C", agent_id="a", agent_name="A",
          adapter_type="process", status="running", issue_id=None, issue_label=None,
          created_at=None, started_at=None, age_seconds=60.0, silence_level="ok",
          silence_age_seconds=30.0, last_output_at=None,
          status_message="Receiving agent output", phase_label="Working", phase="working")


def test_a_heard_from_run_is_running_with_paperclips_message_as_detail():
    state = row_state.of(ROW)
    assert (state.key, state.next_step, state.detail) == ("running", None, "Receiving agent output")


def test_a_run_silent_for_hours_is_stuck_and_says_what_to_do_not_receiving_output():
    silent = replace(ROW, silence_level="critical", silence_age_seconds=5 * 3600,
                     phase="recovery_needed", phase_label="Recovery needed")
    state = row_state.of(silent)
    assert state.key == "stuck"
    assert state.next_step == "No output for 5 h 00 m: read its log, then Stop it if it is stuck."
    assert state.detail == "Paperclip: Recovery needed"  # not the stale status message
    advised = row_state.of(replace(silent, next_action="Reassign the issue"))
    assert advised.next_step == "Paperclip says: Reassign the issue"


def test_phases_and_attention_kinds_give_their_own_state_and_step():
    assert row_state.of(replace(ROW, phase="reconnecting")).key == "checking"
    assert row_state.of(replace(ROW, phase="finishing")).key == "finishing"
    waiting = row_state.of(replace(ROW, phase="waiting_for_answer"))
    assert waiting.key == "waiting" and "answer" in waiting.next_step
    loop = row_state.of(ROW, "failure_loop")
    assert loop.key == "running" and loop.next_step.startswith("Its last runs failed")
    queued = row_state.of(replace(ROW, status="queued", silence_level="not_applicable"))
    assert (queued.key, queued.next_step) == ("queued", None)
    assert set(row_state.STATES) >= {row_state.of(replace(ROW, silence_level=level)).key
                                     for level in ("ok", "suspicious", "critical", "snoozed")}


def _run(n: int, agent: str, outcome: str = "failed", error: str | None = "boom") -> FinishedRun:
    return FinishedRun(f"r{n}", "c", "C", agent, agent, outcome, error, None, None, None,
                       None, None, None, None, None, None, None)


def test_repeats_fold_one_agents_streak_ending_alike_into_its_newest_run():
    runs = [_run(1, "a"), _run(2, "a"), _run(3, "a"), _run(4, "b"), _run(5, "a"),
            _run(6, "a", "failed", "other"), _run(7, "a", "succeeded", None)]
    assert [(r.run_id, n) for r, n in repeats(runs)] == [
        ("r1", 3), ("r4", 1), ("r5", 1), ("r6", 1), ("r7", 1)]
    assert repeats([]) == []


def _luminance(hex_colour: str) -> float:
    if len(hex_colour) == 4:  # #fff
        hex_colour = "#" + "".join(c * 2 for c in hex_colour[1:])
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_faint_text_has_a_contrast_of_4_5_to_1_on_every_light_surface_it_sits_on():
    css = CSS.read_text()
    colour = {name: value for name, value in re.findall(r"--ow-([a-z-]+): (#[0-9a-f]{6}|#[0-9a-f]{3})\b", css)}
    faint = _luminance(colour["faint"])
    for surface in ("panel", "hover", "bg", "quiet-bg"):
        back = _luminance(colour[surface])
        ratio = (max(faint, back) + 0.05) / (min(faint, back) + 0.05)
        assert ratio >= 4.5, (surface, round(ratio, 2))
