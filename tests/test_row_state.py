"""What a live row says (fleet/row_state.py), how recently finished runs fold their
repeats (history.repeats). Faint text's contrast: tests/test_contrast.py."""
from dataclasses import replace

from opsweb.fleet import row_state
from opsweb.fleet.history import FinishedRun, repeats
from opsweb.fleet.live import Row

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
