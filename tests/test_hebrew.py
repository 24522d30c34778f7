"""A Hebrew interface and bidi-safe content, over HTTP against the demo Paperclip: the
language comes from OPSWEB_LANGUAGE, the browser's Accept-Language or the host's
callable; the page is lang="he" dir="rtl" and reads in Hebrew, while the JSON twins
stay English; agent content is isolated (dir="auto", <bdi>) in either language."""
import json
import random
import re

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template_string, request

import opsweb
from conftest import Panel, ServedApp
import row_actions
from opsweb.i18n import timefmt
from opsweb.demo import scripts
from opsweb.i18n.said import FSI, PDI

CLAUDE_AGENT = "a9e00011-0000-4000-8000-000000000011"
SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
HEBREW = {"Accept-Language": "he-IL,he;q=0.9,en;q=0.5"}
MIXED = "תקלה: קובץ config.yaml חסר."
REASON = "סיבה (לא חובה, נשמרת ביומן הביקורת):"  # what every action's prompt asks last


def soup_of(panel, path, headers=None, expect=200):
    resp = panel.get(path, headers={"HX-Request": "true", **(headers or {})})
    assert resp.status_code == expect, (resp.status_code, resp.text[:300])
    return BeautifulSoup(resp.text, "html.parser")


def text(node) -> str:
    return node.get_text(" ", strip=True)


def new_run(demo, agent=SHELL_AGENT, status="running"):
    return demo.control("POST", "/runs", agentId=agent, status=status)["id"]


def say(demo, run_id, chunk, stream="stdout"):
    demo.control("POST", f"/runs/{run_id}/output", stream=stream, chunk=chunk)


# ---- which language ------------------------------------------------------------------

def test_accept_language_hebrew_gives_a_right_to_left_page_in_hebrew(demo, panel_for, tmp_path):
    panel = panel_for(demo.url, OPSWEB_INSTANCE_DIR=str(tmp_path))  # its own, empty audit
    page = soup_of(panel, "/operations", HEBREW)
    assert (page.html["lang"], page.html["dir"]) == ("he", "rtl")
    assert page.title.get_text() == "תפעול · opsweb"
    assert page.h1.get_text() == "תפעול"
    agents = page.select_one("#ow-agents")
    assert (agents["lang"], agents["dir"]) == ("he", "rtl")
    assert text(agents.select_one("#ow-agents-title")).startswith("סוכנים פעילים")
    assert [text(th) for th in agents.select("thead th")][:6] == [
        "חברה", "סוכן", "מצב", "משימה", "זמן ריצה", "שקט בפלט"]
    row = agents.select_one("tr.ow-row-running:has(.ow-state-running)")
    assert [text(b) for b in row.select(".ow-actions button")] == ["יומן", "עצור", "השהה", "סוכן"]
    assert text(row.select_one(".ow-status")) == "פעילה"
    assert text(agents.select_one(".ow-legend")).startswith("שקט בפלט: תקין נראה פלט לאחרונה")
    assert text(agents.select_one(".ow-recent-empty")) == "עוד לא בוצעה אף פעולה."
    assert page.select_one("dialog#ow-log-dialog")["aria-label"] == "יומן ריצה"


def test_the_prompts_and_labels_name_the_agent_isolated_in_hebrew(demo, panel):
    row = soup_of(panel, "/operations/agents", HEBREW).select_one("tr.ow-row-running:has(.ow-state-running)")
    agent = row.select_one(".ow-agent bdi").get_text()
    name = f"{FSI}{agent}{PDI}"
    assert not row.select("[hx-confirm]")  # each action's prompt is its confirmation
    assert row_actions.button(row, "stop")["aria-label"] == f"עצור את הריצה של {name}"
    # the prompts, said once on the table, filled in from the row as opsweb.js does
    assert row_actions.prompt(row, "stop") == (f"לעצור את הריצה של {name} (פעילה)?"
                                               " Paperclip יבטל אותה בצורה מסודרת.")
    assert row_actions.button(row, "pause")["aria-label"] == f"השהה את {name}"
    pause = row_actions.prompt(row, "pause")
    assert pause.startswith(f"להשהות את {name}? Paperclip יבטל את הריצות")
    # the confirm dialog asks for the reason in its own words
    words = json.loads(row.find_parent("table")["data-ow-confirm"])
    assert words["reason"] == REASON.rstrip(":")
    assert row_actions.button(row, "card")["aria-label"] == f"הסוכן {name}"
    card = soup_of(panel, f"/operations/agents/{row['data-agent-id']}", HEBREW)
    reset = card.select_one(".ow-act-reset")
    assert text(reset) == "אפס סשן סוכן"
    assert reset["data-ow-ask"].startswith(f"לאפס את הסשן של {name} (בכל המשימות שלו)?")


def test_durations_read_in_hebrew(demo, panel):
    ages = [text(t) for t in soup_of(panel, "/operations/agents", HEBREW).select(".ow-age time")]
    assert ages and all(a == "פחות מדקה" or a.endswith("דק׳") for a in ages), ages


@pytest.mark.parametrize("setting, header, expected", [
    ("he", "en-US,en;q=0.9", "he"),   # the setting wins over the browser
    ("en", "he-IL,he;q=0.9", "en"),
    ("auto", "he-IL,he;q=0.9", "he"),
    ("auto", "fr-FR,fr;q=0.9", "en"),  # no Hebrew asked for: English
    ("auto", "en-US,he;q=0.5", "en"),  # preferred first, whatever the region
    ("auto", "fr, he-IL;q=0.3", "he"),  # the first one opsweb speaks
    ("auto", None, "en"),
])
def test_opsweb_language_en_he_or_auto(demo, panel_for, setting, header, expected):
    panel = panel_for(demo.url, OPSWEB_LANGUAGE=setting)
    page = soup_of(panel, "/operations", {"Accept-Language": header} if header else {})
    assert page.html["lang"] == expected
    assert page.html["dir"] == ("rtl" if expected == "he" else "ltr")
    heading = text(page.select_one("#ow-agents-title"))
    assert heading.startswith("סוכנים פעילים" if expected == "he" else "Active agents")


def test_an_unknown_language_setting_is_refused_at_startup(demo, panel_for):
    with pytest.raises(ValueError, match="OPSWEB_LANGUAGE must be one of auto, en, he"):
        panel_for(demo.url, OPSWEB_LANGUAGE="fr")


def test_a_host_chooses_the_language_per_request_and_keeps_its_own_pages(demo):
    app = Flask("host")
    app.config.update(SECRET_KEY="host-secret", OPSWEB_PAPERCLIP_URL=demo.url,
                      OPSWEB_COMPANIES=(), OPSWEB_PAPERCLIP_TOKEN=None)
    # the host's own user setting; None leaves the choice to OPSWEB_LANGUAGE (auto)
    opsweb.init_app(app, url_prefix="/admin/ops", api_prefix="/admin/api/ops",
                    metrics_path=None, language=lambda: request.cookies.get("lang"))

    @app.get("/admin/home")
    def home():  # the host's page, its strings in its own (absent) catalog
        return render_template_string("<p>{{ _('Active agents') }}</p>")

    served = ServedApp(app)
    try:
        host = Panel(served.url, app)
        fragment = soup_of(host, "/admin/ops/agents", {"Cookie": "lang=he"})
        root = fragment.select_one("#ow-agents")
        assert (root["lang"], root["dir"]) == ("he", "rtl")  # carried into the host page
        assert text(root.select_one("#ow-agents-title")).startswith("סוכנים פעילים")
        english = soup_of(host, "/admin/ops/agents", {"Cookie": "lang=en", **HEBREW})
        english = english.select_one("#ow-agents")
        assert (english["lang"], english["dir"]) == ("en", "ltr")
        assert soup_of(host, "/admin/ops/agents", HEBREW).select_one("#ow-agents")["lang"] == "he"
        assert host.get("/admin/home", headers=HEBREW).text == "<p>Active agents</p>"
    finally:
        served.stop()


def test_a_language_change_is_a_new_panel_version(demo, panel):
    english = soup_of(panel, "/operations/agents").select_one("#ow-poll")
    version = json.loads(english["hx-headers"])["X-Opsweb-Panel-Version"]
    again = panel.get("/operations/agents", headers={"HX-Request": "true",
                                                     "X-Opsweb-Panel-Version": version, **HEBREW})
    assert again.status_code == 200 and 'lang="he"' in again.text
    # each answer in its own language, whichever came first (no word fixed at compile time)
    hebrew = BeautifulSoup(again.text, "html.parser").select_one(".ow-legend")
    assert text(hebrew.select_one(".ow-badge")) == "תקין"
    assert text(soup_of(panel, "/operations/agents").select_one(".ow-legend .ow-badge")) == "ok"


# ---- Python's sentences: translated in the page, English in the twin ----------------

def test_stop_says_its_outcome_in_hebrew_and_the_twin_stays_english(demo, panel):
    first, second = new_run(demo), new_run(demo)
    resp = panel.http.post(f"{panel.url}/operations/runs/{first}/cancel", timeout=30, headers={
        "HX-Request": "true", "X-CSRF-Token": panel.csrf_token(), "Origin": panel.url, **HEBREW})
    assert resp.status_code == 200
    outcome = BeautifulSoup(resp.text, "html.parser").select_one(".ow-outcome")
    assert text(outcome) == "הריצה בוטלה." and outcome["dir"] == "auto"
    twin = panel.http.post(f"{panel.url}/api/operations/runs/{second}/cancel", json={},
                           headers=HEBREW, timeout=30)
    assert twin.json()["message"] == "Run cancelled."
    recent = soup_of(panel, "/operations/agents", HEBREW).select_one(".ow-recent-table tbody tr")
    assert [text(td) for td in recent.select("td")][2] == "עצור"
    assert text(recent.select_one(".ow-outcome")) == "בוצע"


def test_an_unreachable_paperclip_is_said_in_hebrew_with_its_address_isolated(panel_for):
    panel = panel_for("http://127.0.0.1:9")  # nothing listens there
    problem = soup_of(panel, "/operations/agents", HEBREW).select_one(".ow-error")
    assert text(problem) == (f"כל החברות : אין גישה ל-Paperclip בכתובת "
                             f"{FSI}http://127.0.0.1:9{PDI} ({FSI}connection refused{PDI})")
    assert problem.select("bdi")  # the company and the sentence, each isolated
    twin = panel.get("/api/operations/agents", headers=HEBREW).json()
    assert twin["errors"] == [{"companyId": "*", "companyName": "all companies",
                               "error": "Paperclip at http://127.0.0.1:9 is unreachable"
                                        " (connection refused)"}]


def test_the_sign_in_page_and_its_refusal_are_in_hebrew(demo, panel_for, tmp_path):
    token = "alice-token-0123456789abcdef"
    panel = panel_for(demo.url, OPSWEB_OPERATOR_TOKENS=f"alice:{token}",
                      OPSWEB_SECRET_KEY="test-secret-key-0123456789abcdef",
                      OPSWEB_LANGUAGE="he", OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/a.db")
    form = soup_of(panel, "/operations/login")
    assert (form.html["lang"], form.html["dir"]) == ("he", "rtl")
    assert text(form.select_one("label[for=ow-token]")) == "אסימון מפעיל"
    assert text(form.select_one("form.ow-login button")) == "כניסה"
    fields = {i["name"]: i.get("value", "") for i in form.select("form.ow-login input[name]")}
    wrong = panel.http.post(f"{panel.url}/operations/login", timeout=10,
                            data={**fields, "token": "not-a-token-0123456789"},
                            headers={"Origin": panel.url}, allow_redirects=False)
    assert wrong.status_code == 401
    assert text(BeautifulSoup(wrong.text, "html.parser").select_one(".ow-error")) == (
        "האסימון הזה אינו שייך לאף מפעיל.")
    twin = panel.get("/api/operations/agents", headers=HEBREW)
    assert twin.status_code == 401 and twin.json()["error"].startswith("Sign in first")


def test_an_error_fragment_carries_the_language_and_reads_in_its_own_direction(demo, panel):
    missing = "00000000-0000-4000-8000-00000000beef"
    failure = soup_of(panel, f"/operations/runs/{missing}/log", HEBREW, expect=404)
    root = failure.select_one(".ow-failure")
    assert (root["lang"], root["dir"]) == ("he", "rtl")
    assert root.select_one("p")["dir"] == "auto"  # Paperclip's English words stay LTR


# ---- agents: the card, the attention strip, recently finished runs -------------------

def post_as_browser(panel, path, headers=HEBREW, **form):
    """What the page's prompt sends: the reason as a form field."""
    return panel.http.post(panel.url + path, data=form, timeout=30, headers={
        "HX-Request": "true", "X-CSRF-Token": panel.csrf_token(), "Origin": panel.url, **headers})


def test_the_agent_card_reads_in_hebrew_and_pause_answers_in_hebrew(demo, panel):
    card = soup_of(panel, f"/operations/agents/{SHELL_AGENT}", HEBREW).select_one(".ow-agent-card")
    assert (card["lang"], card["dir"]) == ("he", "rtl")
    assert card.select_one("#ow-log-title bdi")  # the name in its own direction
    assert text(card.select_one(".ow-agent-status")) != "running"
    assert [text(h) for h in card.select("h3")] == ["24 השעות האחרונות", "ריצות פעילות", "ריצות אחרונות"]
    assert [text(dt) for dt in card.select(".ow-facts dt")] == ["השכמות", "החודש"]
    assert [text(b) for b in card.select(".ow-card-actions button")] == ["השהה", "אפס סשן סוכן"]
    pause = card.select_one(".ow-act-pause")
    resp = post_as_browser(panel, pause["hx-post"], reason="לולאה על נעילת הפריסה")
    assert resp.status_code == 200
    outcome = BeautifulSoup(resp.text, "html.parser").select_one(".ow-outcome")
    assert text(outcome).startswith("הסוכן הושהה: Paperclip ביטל את הריצות הפעילות שלו")
    twin = panel.get(f"/api/operations/agents/{SHELL_AGENT}", headers=HEBREW).json()
    assert twin["status"] == "paused"  # the twin: Paperclip's own words
    card = soup_of(panel, f"/operations/agents/{SHELL_AGENT}", HEBREW)
    assert text(card.select_one(".ow-agent-status")) == "מושהה"
    assert text(card.select_one(".ow-card-actions button")) == "המשך"
    again = panel.post_json(f"/api/operations/agents/{SHELL_AGENT}/resume", {})
    assert again.json()["message"] == "Agent resumed: its timer wakes it again."


def test_a_refused_reason_is_said_in_hebrew_and_in_english_in_the_twin(demo, panel):
    path = f"/operations/agents/{SHELL_AGENT}/pause"
    resp = post_as_browser(panel, path, reason="<b>stop</b>")
    assert resp.status_code == 400
    assert text(BeautifulSoup(resp.text, "html.parser").select_one(".ow-failure p")) == (
        "הסיבה חייבת להיות טקסט פשוט, בלי תגיות (400)")
    twin = panel.post_json("/api" + path, {"reason": "x" * 301})
    assert twin.json()["error"] == "reason is too long (301 characters; at most 300)"


def unisolated(sentence: str) -> str:
    return sentence.replace(FSI, "").replace(PDI, "")


def test_the_attention_strip_reads_in_hebrew_and_its_twin_stays_english(demo, panel):
    strip = soup_of(panel, "/operations/attention", HEBREW).select_one("#ow-attention")
    assert (strip["lang"], strip["dir"]) == ("he", "rtl")
    assert text(strip.select_one("#ow-attention-title")).startswith("דורש תשומת לב")
    items = {li["data-kind"]: li for li in strip.select("li.ow-attention-item")}
    assert {k: text(li.select_one(".ow-kind")) for k, li in items.items()} == {
        "failure_loop": "לולאת כישלונות", "empty_runs": "ריצות ריקות",
        "agent_error": "שגיאת סוכן", "paused": "מושהה", "near_budget": "קרוב לתקציב"}
    assert "כישלונות ברצף, הראשון לפני" in text(items["failure_loop"])
    budget = unisolated(text(items["near_budget"].select_one(".ow-attention-detail")))
    assert budget == "86.08% מהתקציב החודשי שלו: $43.04 מתוך $50.00"
    burn = text(items["empty_runs"].select_one(".ow-attention-detail"))
    assert burn.count(FSI) == burn.count(PDI) > 0  # each quoted part isolated
    assert unisolated(burn) == "5 ריצות קצרות עם מעט פלט · 120 ריצות לשעה · $34.80 לשעה"
    paused = unisolated(text(items["paused"].select_one(".ow-attention-detail")))
    assert re.fullmatch(r"הושהה לפני \S.* \(ידנית\)", paused), paused
    assert [text(b) for b in items["paused"].select("button")] == ["סוכן", "המשך"]
    assert items["failure_loop"].select_one(".ow-attention-who bdi")
    twin = {i["kind"]: i for i in panel.get("/api/operations/attention", headers=HEBREW).json()["items"]}
    assert twin["empty_runs"]["detail"].startswith("5 short runs with little output · ")
    assert re.fullmatch(r"paused \S.* ago \(by hand\)", twin["paused"]["detail"])


def test_recently_finished_runs_read_in_hebrew(demo, panel):
    recent = soup_of(panel, "/operations/recent", HEBREW).select_one("#ow-recent-runs")
    assert (recent["lang"], recent["dir"]) == ("he", "rtl")
    assert text(recent.select_one("#ow-recent-runs-title")).startswith("הסתיימו לאחרונה")
    assert [text(th) for th in recent.select("thead th")][:6] == [
        "סוכן", "תוצאה", "שגיאה", "התחילה", "משך", "עלות · טוקנים"]
    outcomes = {row["data-outcome"]: row for row in recent.select("tr.ow-finished-row")}
    assert text(outcomes["failed"].select_one(".ow-status")) == "נכשלה"
    assert text(outcomes["failed"].select_one("button")) == "יומן"
    assert all(re.search("(שנ׳|דק׳|שע׳)$", text(row.select("td")[4])) for row in outcomes.values())
    assert recent.select_one("input[name=agent]")["placeholder"] == "שם"


# ---- the log: content in its own direction -------------------------------------------

def test_log_lines_keep_their_own_direction_and_code_stays_left_to_right(demo, panel):
    run = new_run(demo, CLAUDE_AGENT)
    say(demo, run, MIXED + "\n")
    say(demo, run, '{"type":"assistant","message":{"content":[{"type":"text","text":"שלום, בודק."},'
                   '{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]}}\n')
    say(demo, run, "warning: slow disk\n", stream="stderr")
    for headers in ({}, HEBREW):  # isolation does not depend on the interface language
        dialog = soup_of(panel, f"/operations/runs/{run}/log", headers)
        lines = {text(t): t for t in dialog.select(".ow-entry .ow-text")}
        assert MIXED in lines and "שלום, בודק." in lines and "warning: slow disk" in lines
        assert all(t["dir"] == "auto" for t in lines.values())
        assert dialog.select_one(".ow-entry-tool_call pre")["dir"] == "ltr"
        assert dialog.select_one("#ow-log-title bdi")
    view = soup_of(panel, f"/operations/runs/{run}/log", HEBREW).select_one(".ow-log-view")
    assert (view["lang"], view["dir"]) == ("he", "rtl")
    assert (view["data-label-completed"], view["data-label-errored"]) == ("הושלמה", "נכשלה")
    assert text(view.select_one(".ow-entry-stderr .ow-tag")) == "stderr"
    assert text(view.select_one(".ow-call-state")) == "פעילה"
    assert text(view.select_one("#ow-run-state")) == "פעילה עוקב אחר פלט חדש עצור"
    assert text(view.select_one(".ow-run-facts")).startswith("ריצה")
    assert text(view.select_one(".ow-copy")) == "העתק"
    entries = panel.get(f"/api/operations/runs/{run}/log", headers=HEBREW).json()["entries"]
    assert MIXED in [e["text"] for e in entries]  # the twin: the same text, no markup


def test_names_are_isolated_in_the_english_panel_too(demo, panel):
    row = soup_of(panel, "/operations/agents").select_one("tr.ow-row")
    assert row.select_one(".ow-company bdi") and row.select_one(".ow-agent bdi")
    assert soup_of(panel, "/operations").html["dir"] == "ltr"


def test_the_demo_process_agents_write_the_mixed_hebrew_line():
    steps = scripts.process(random.Random(1), SHELL_AGENT).steps
    assert any(step.chunk == MIXED + "\n" for step in steps)


# ---- times ---------------------------------------------------------------------------

def test_times_take_their_words_from_gettext():
    hebrew = {"<1 m": "פחות מדקה", "%(m)d m": "%(m)d דק׳",
              "%(h)d h %(m)02d m": "%(h)d שע׳ %(m)02d דק׳",
              "%(d)d d %(h)d h": "%(d)d ימ׳ %(h)d שע׳", "%(duration)s ago": "לפני %(duration)s",
              "%(label)s: never": "%(label)s: אף פעם"}.get
    say_it = timefmt.filters(lambda msgid: hebrew(msgid, msgid))
    assert [say_it["ow_duration"](s) for s in (5, 180, 3900, 2 * 86400 + 4 * 3600)] == [
        "פחות מדקה", "3 דק׳", "1 שע׳ 05 דק׳", "2 ימ׳ 4 שע׳"]
    assert say_it["ow_exact_time"](None, "פלט אחרון") == "פלט אחרון: אף פעם"
    assert say_it["ow_ago"]("2000-01-01T00:00:00Z").startswith("לפני ")
    assert timefmt.duration(3900) == "1 h 05 m"  # English without a gettext
