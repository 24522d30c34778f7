"""Run-log records to readable entries, checked against Paperclip's own rendering of
the same agent output (docs/paperclip-notes.md, "Run logs") and against the real log pages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsweb.transcript import builder as transcript
from opsweb.transcript.reader import read_log
from opsweb.transcript.builder import TranscriptBuilder, convert_log
from opsweb.transcript.entry import Entry, extend_transcript, transcript_text

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def kinds(entries) -> list[str]:
    return [e.kind for e in entries]


def record(chunk: str, stream: str = "stdout", seq: int = 1, ts: str = "2026-11-24T15:09:19.000Z") -> str:
    return json.dumps({"ts": ts, "stream": stream, "chunk": chunk, "seq": seq},
                      ensure_ascii=False, separators=(",", ":")) + "\n"


# --- adapters -------------------------------------------------------------------

def test_claude_stream_json_becomes_the_entries_paperclip_shows():
    entries = convert_log(corpus("claude_local.ndjson"), "claude_local")
    assert kinds(entries) == ["system", "init", "thinking", "assistant", "tool_call", "tool_result", "result"]
    note, init, thinking, assistant, call, result, done = entries
    assert note.text.startswith("[paperclip] No project or prior session workspace")
    assert (init.model, init.session_id) == ("claude-sonnet-4-5-20250929", "9f1c2b7e-4d1a-4a51-9a55-2f3b1c0d9e11")
    assert thinking.text == "I should check the repo status first."
    assert assistant.text == "Let me look at the working tree."
    assert (call.name, call.tool_use_id) == ("Bash", "toolu_01ABC")
    assert json.loads(call.input) == {"command": "git status --short", "description": "Show changed files"}
    assert (result.tool_use_id, result.name, result.is_error) == ("toolu_01ABC", "Bash", False)
    assert result.text == " M src/app.py\n?? notes.txt"
    assert (done.text, done.subtype, done.is_error, done.errors) == ("Two files changed; done.", "success", False, ())
    assert (done.input_tokens, done.output_tokens, done.cached_tokens, done.cost_usd) == (92, 78, 2048, 0.01234)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6, 7]


def test_codex_exec_json_becomes_the_entries_paperclip_shows():
    entries = convert_log(corpus("codex_local.ndjson"), "codex_local")
    assert kinds(entries) == ["init", "system", "thinking", "tool_call", "tool_result", "system",
                              "assistant", "result", "result", "stderr"]
    init, turn, thinking, call, result, files, message, done, failed, error = entries
    assert (init.model, init.session_id) == ("codex", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
    assert turn.text == "turn started"
    assert thinking.text == "**Inspecting repository state**"
    assert (call.name, call.tool_use_id) == ("command_execution", "item_1")
    assert json.loads(call.input) == {"id": "item_1", "command": "bash -lc 'git status --short'"}
    assert result.text == "command: bash -lc 'git status --short'\nstatus: completed\nexit_code: 0\n\n M src/app.py"
    assert (result.name, result.is_error) == ("command_execution", False)
    assert files.text == "file changes: update src/app.py"
    assert message.text == "Updated src/app.py and verified the tests pass."
    assert (done.input_tokens, done.output_tokens, done.cached_tokens, done.cost_usd, done.is_error) == (
        24763, 122, 24448, 0, False)
    assert (failed.is_error, failed.subtype, failed.errors) == (True, "turn.failed", ("stream disconnected before completion",))
    assert error.text == "Reconnecting... 1/5"


def test_codex_failed_command_is_an_errored_result():
    line = json.dumps({"type": "item.completed", "item": {"id": "i9", "type": "command_execution",
                       "command": "false", "aggregated_output": "", "exit_code": 1, "status": "failed"}})
    (entry,) = convert_log(record(line + "\n"), "codex_local")
    assert (entry.kind, entry.is_error, entry.text) == ("tool_result", True, "command: false\nstatus: failed\nexit_code: 1")


def test_process_output_stays_plain_text_and_paperclip_notes_become_system_entries():
    entries = convert_log(corpus("process_plain.ndjson"), "process")
    assert kinds(entries) == ["system", "stdout", "stderr", "stdout", "stdout", "stdout", "stdout", "stdout", "stdout"]
    assert entries[1].text == "tick 1 <script>alert(1)</script> שלום"  # literal: escaping is the template's job
    assert [e.text for e in entries[3:6]] == ["tick 2", "tick 3", "tick 4"]  # blank lines skipped
    # A Claude-shaped line printed by a process agent is not rendered as Claude (§8.5).
    assert entries[6].text == '{"type":"system","subtype":"init","session_id":"s1","model":"fake"}'
    assert entries[8].text == "{not json"


def test_process_pi_events_show_streamed_text_once_and_pair_tools():
    entries = convert_log(corpus("process_pi.ndjson"), "process")
    assert kinds(entries) == ["init", "user", "thinking", "assistant", "tool_call", "tool_result",
                              "tool_call", "tool_result", "assistant", "result", "stdout"]
    init, user, thinking, assistant, read, read_done, bash, bash_done, late, done, unknown = entries
    assert (init.model, init.session_id) == ("pi", "pi-session-1")
    assert user.text == "Inspect the transcript."
    assert (thinking.text, thinking.delta) == ("Checking the parser", True)  # two deltas joined
    assert assistant.text == "Fixed once."
    assert (read.name, read.tool_use_id, json.loads(read.input)) == ("read", "call_1", {"path": "src/index.ts"})
    assert (read_done.name, read_done.text, read_done.is_error) == ("read", "file contents", False)
    assert (bash_done.name, bash_done.text, bash_done.is_error) == ("bash", "exit 1", True)
    assert late.text == "Not streamed."  # message_end without deltas still shows its text
    assert (done.input_tokens, done.output_tokens, done.cached_tokens, done.cost_usd) == (11, 7, 3, 0.012)
    assert unknown.text == '{"type":"some_future_event","payload":{"n":1}}'


def test_other_adapters_get_plain_text_and_pretty_printed_json():
    entries = convert_log(corpus("generic.ndjson"), "gemini_local")
    assert kinds(entries) == ["stdout", "stdout", "stderr", "system"]
    assert entries[1].text == '{\n  "type": "step",\n  "n": 1,\n  "msg": "héllo"\n}'
    assert convert_log(corpus("generic.ndjson"), None)[0].text == "plain words"


# --- chunks and lines -----------------------------------------------------------

def test_a_stdout_line_split_across_chunks_is_parsed_once_whole():
    entries = convert_log(corpus("cut_split_line.ndjson"), "claude_local")
    assert kinds(entries) == ["stderr", "assistant", "assistant", "result"]
    assert entries[0].text == "between the halves\n"  # stderr shows as it came, before the line completes
    assert [e.text for e in entries[1:3]] == ["joined across chunks", "second"]
    assert entries[1].seq == 3  # the record that completed the line
    assert entries[3].cost_usd == 0.5  # completed by the final "\n" chunk


def test_several_lines_in_one_chunk_become_several_entries():
    chunk = "tick 2 a\n{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"step 2\"}]}}\n"
    entries = convert_log(record(chunk), "claude_local")
    assert [(e.kind, e.text) for e in entries] == [("stdout", "tick 2 a"), ("assistant", "step 2")]


def test_stderr_chunks_are_not_split_into_lines():
    (entry,) = convert_log(record("one\ntwo\nthree", stream="stderr"), "claude_local")
    assert entry.text == "one\ntwo\nthree"


def test_an_unfinished_last_line_waits_unless_the_run_is_over():
    log = record("complete\n", seq=1) + record("half a li", seq=2)
    assert [e.text for e in convert_log(log, "process", eof_flush=False)] == ["complete"]
    assert [e.text for e in convert_log(log, "process")] == ["complete", "half a li"]


def test_a_very_long_unfinished_line_is_shown_as_it_stands(monkeypatch):
    monkeypatch.setattr(transcript, "PENDING_FLUSH_BYTES", 300)  # each record is ~170 bytes
    log = "".join(record("x" * 100, seq=i) for i in range(1, 5)) + record("tail\n", seq=5)
    entries = convert_log(log, "process")
    assert [e.text for e in entries] == ["x" * 200, "x" * 200, "tail"]


# --- what Paperclip did to the text ----------------------------------------------

def test_truncated_chunk_marker_and_redactions_stay_visible():
    entries = convert_log(corpus("cut_truncated_redacted.ndjson"), "claude_local")
    assert kinds(entries) == ["unparsed", "system", "stdout", "stderr", "init", "tool_result"]
    assert entries[0].text.endswith("A" * 300) and entries[0].errors[0].startswith("invalid JSON")
    assert entries[1].text == "[paperclip truncated run log chunk: omitted 70000 chars]"
    assert "[paperclip truncated run log chunk: omitted 12 chars]" in entries[3].text
    assert entries[5].text == "token=***REDACTED*** [omitted base64 image data: 1234 chars]"
    assert entries[5].is_error


def test_ansi_colours_become_spans_and_other_escapes_go():
    entries = convert_log(corpus("cut_ansi_control.ndjson"), "claude_local")
    red, controls, cleared, assistant = entries
    assert red.text == "ERROR plain ok\n"
    assert red.spans == (("ERROR", "ow-ansi-red ow-ansi-bold"), (" plain ", ""), ("ok", "ow-ansi-green"), ("\n", ""))
    assert controls.text == "bell nul del backspace evil\nprogress 1%\nprogress 100%\n"
    assert controls.spans is None
    assert cleared.text == "cleared screen bright\ttab"
    assert cleared.spans == (("cleared screen ", ""), ("bright", "ow-ansi-bright-red"), ("\ttab", ""))
    assert assistant.text == "colour red in assistant"
    for e in entries:
        assert not any(ord(c) < 32 and c not in "\n\t" for c in e.text)


def test_a_lone_surrogate_cannot_break_the_page():
    line = '{"type":"assistant","message":{"content":[{"type":"text","text":"bad \\ud800 pair"}]}}'
    (entry,) = convert_log(record(line + "\n"), "claude_local")
    assert entry.text == "bad \ufffd pair"
    transcript_text([entry]).encode("utf-8")


def test_unreadable_lines_are_shown_raw_never_dropped():
    entries = convert_log(corpus("cut_invalid_lines.ndjson"), "claude_local")
    assert [(e.kind, e.text) for e in entries] == [
        ("unparsed", '{"type":"assistant","message":'),
        ("unparsed", "this is not a log record"),
        ("stdout", "plain text is fine"),
        ("stdout", '["a list"]'),
        ("unparsed", '{"ts": "2026-11-24T15:09:11.300Z", "stream": "stdout", "seq": 4}'),
        ("stdout", '{"type":"mystery"}'),
    ]


def test_a_parser_exception_costs_one_line(monkeypatch):
    def explode(self, line, ts):
        raise RuntimeError("boom")
    monkeypatch.setattr("opsweb.transcript.parsers.claude.ClaudeParser.parse", explode)
    (entry,) = convert_log(record('{"type":"assistant"}\n'), "claude_local")
    assert (entry.kind, entry.text, entry.errors) == ("unparsed", '{"type":"assistant"}', ("parser error: RuntimeError: boom",))


# --- the real pages ---------------------------------------------------------------

def test_the_real_log_pages_read_cleanly():
    pages = {0: json.loads(corpus("log-page-1.json")), 4000: json.loads(corpus("log-page-2.json"))}

    def replay(offset, limit):
        assert limit == 4000
        page = pages.get(offset)
        return (page["content"], page.get("nextOffset")) if page else ("", None)

    entries = read_log(replay, "process", "0", max_page=4000).entries
    text = transcript_text(entries)
    assert "\ufffd" not in text
    assert entries[0].kind == "system" and entries[0].text.startswith("[paperclip] No project")
    ticks = [e for e in entries if e.kind == "stdout" and e.text.startswith("tick ")]
    assert [t.text for t in ticks[:2]] == ["tick 1 <script>alert(1)</script> שלום"] + ["tick 2 <script>alert(1)</script> שלום"]
    assert len(ticks) == 23
    # step 12's record was cut between the two pages: it reads whole.
    assert '{"type":"assistant","message":{"content":[{"type":"text","text":"step 12"}]}}' in [e.text for e in entries]
    warns = [e for e in entries if e.kind == "stderr"]
    assert [w.text for w in warns[:2]] == ["warn 1\n", "warn 2\n"] and len(warns) == 23
    assert all(w.spans[0] == (w.text.rstrip("\n"), "ow-ansi-red") for w in warns)


# --- entry model ------------------------------------------------------------------

def test_transcript_text_reads_like_a_terminal_session():
    entries = convert_log(corpus("claude_local.ndjson"), "claude_local")
    text = transcript_text(entries)
    assert "[init] model claude-sonnet-4-5-20250929 · session 9f1c2b7e-4d1a-4a51-9a55-2f3b1c0d9e11\n" in text
    assert '[tool Bash] {"command": "git status --short", "description": "Show changed files"}\n' in text
    assert "[tool result Bash]  M src/app.py\n  ?? notes.txt\n" in text
    assert "[result] ok · in 92 / out 78 · cached 2048 · $0.0123\n  Two files changed; done.\n" in text
    assert transcript_text(convert_log(record("oops\n", stream="stderr"), "x")) == "[stderr] oops\n"


def test_a_tool_calls_state_is_decided_once_by_the_builder():
    call = ('{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_%s",'
            '"name":"Bash","input":{}}]}}\n')
    result = ('{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_%s",'
              '"content":"done","is_error":%s}]}}\n')
    log = record(call % "a") + record(result % ("a", "true")) + record(call % "b") + record(call % "c")
    log += record(result % ("c", "false")) + record(result % ("z", "false"))
    states = [(e.kind, e.tool_use_id, e.call_state) for e in convert_log(log, "claude_local")]
    assert states == [("tool_call", "toolu_a", "errored"), ("tool_result", "toolu_a", "errored"),
                      ("tool_call", "toolu_b", "running"), ("tool_call", "toolu_c", "completed"),
                      ("tool_result", "toolu_c", "completed"),
                      ("tool_result", "toolu_z", "completed")]  # its call was in an earlier read


def test_entry_json_twin_keeps_set_fields_only():
    entries = convert_log(corpus("claude_local.ndjson") + corpus("cut_ansi_control.ndjson"), "claude_local")
    call = entries[4].to_json()
    assert call == {"kind": "tool_call", "ts": call["ts"], "text": "", "name": "Bash", "toolUseId": "toolu_01ABC",
                    "input": entries[4].input, "seq": 5, "callState": "completed"}
    red = next(e for e in entries if e.spans).to_json()
    assert red["spans"][0] == ["ERROR", "ow-ansi-red ow-ansi-bold"]
    json.dumps([e.to_json() for e in entries])
    assert Entry("stdout", "t", "x") == Entry("stdout", "t", "x")


def test_streamed_fragments_join_across_reads():
    deltas = [json.dumps({"type": "message_update", "assistantMessageEvent": {"type": "text_delta", "delta": d}})
              for d in ("Hel", "lo ", "there")]
    first = TranscriptBuilder("process")
    first.feed(0, record(deltas[0] + "\n" + deltas[1] + "\n").strip(), 10)
    assert [(e.text, e.delta) for e in first.entries] == [("Hel" + "lo ", True)]
    second = TranscriptBuilder("process", first.state())
    second.feed(10, record(deltas[2] + "\n").strip(), 20)
    assert second.entries[0].continues
    joined = extend_transcript(list(first.entries), second.entries)
    assert [(e.text, e.continues) for e in joined] == [("Hello there", False)]


@pytest.mark.parametrize("adapter", ["claude_local", "codex_local", "process", "pi_local", "gemini_local", "http", ""])
def test_every_adapter_survives_every_corpus_file(adapter):
    for path in sorted(CORPUS.glob("*.ndjson")):
        entries = convert_log(path.read_bytes(), adapter)
        assert entries and all(isinstance(e, Entry) for e in entries)
        transcript_text(entries).encode("utf-8")
