"""Changed rows only, as a property: whatever happened to the fleet between two
versions (rows added, removed, reordered, changed), applying the out-of-band swaps to
the old fragment the way htmx does gives exactly the new fragment."""
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from opsweb.web.panel_diff import PART, ROW, Versions, plan, split

ROWS_ID = "ow-rows"


def marked(rows: list[tuple[str, str]], recent: str = "none", frame: str = "") -> str:
    """A panel shaped like agents.html: parts, a frame, rows in a tbody."""
    body = "".join(f'{ROW}<tr id="ow-run-{k}" class="ow-row"><td>{k}</td><td>{v}</td></tr>{ROW}'
                   for k, v in rows)
    return (f'<section id="ow-agents">{PART}<span id="ow-count">{len(rows)}</span>{PART}'
            f'<p>{frame}</p><table><tbody id="{ROWS_ID}">{body}</tbody></table>'
            f'{PART}<section id="ow-recent">{recent}</section>{PART}</section>')


def apply_oob(page: str, answer: str) -> str:
    """htmx 2's out-of-band swaps, in document order: `true` replaces the element with
    the same id; `delete` removes it; `afterend:#id` / `afterbegin:#id` insert the
    wrapper's children there."""
    doc = BeautifulSoup(page, "html.parser")
    sent = BeautifulSoup(answer, "html.parser")
    for elt in sent.find_all(attrs={"hx-swap-oob": True}):
        how = elt.attrs.pop("hx-swap-oob")
        style, _, selector = how.partition(":")
        target = doc.select_one(selector or f"#{elt['id']}")
        assert target is not None, how
        if style == "true":
            target.replace_with(elt)
        elif style == "delete":
            target.decompose()
        elif style == "afterend":
            for child in reversed(list(elt.children)):
                target.insert_after(child)
        elif style == "afterbegin":
            for child in reversed(list(elt.children)):
                target.insert(0, child)
        else:
            raise AssertionError(f"unexpected swap {how}")
    return str(doc)


def same(a: str, b: str) -> bool:
    return str(BeautifulSoup(a, "html.parser")) == str(BeautifulSoup(b, "html.parser"))


keys = st.lists(st.sampled_from([f"r{i}" for i in range(40)]), unique=True, max_size=40)
values = st.sampled_from(["ok · 3 m", "ok · 4 m", "suspicious · 1 h", "critical <b>4 h</b>"])


@st.composite
def fleets(draw):
    old_keys = draw(keys)
    old = [(k, draw(values)) for k in old_keys]
    kept = draw(st.lists(st.sampled_from(old_keys), unique=True)) if old_keys else []
    added = [k for k in draw(keys) if k not in old_keys]
    new_keys = draw(st.permutations(kept + added))
    new = [(k, draw(values)) for k in new_keys]
    return old, new


@settings(max_examples=300, deadline=None)
@given(fleets(), st.booleans())
def test_the_swaps_turn_the_old_panel_into_the_new_one(fleet, recent_changed):
    old_rows, new_rows = fleet
    old = split(marked(old_rows))
    new = split(marked(new_rows, recent="one" if recent_changed else "none"))
    answer = plan(old.snapshot(), new, ROWS_ID)
    if answer is None:  # only when the whole fragment is no bigger
        return
    assert same(apply_oob(old.html, answer), new.html)


def test_one_changed_row_in_200_sends_that_row_only():
    rows = [(f"r{i}", "ok · 3 m") for i in range(200)]
    old = split(marked(rows))
    rows[57] = ("r57", "critical · 4 h")
    new = split(marked(rows))
    answer = plan(old.snapshot(), new, ROWS_ID)
    assert answer == ('<template><tr hx-swap-oob="true" id="ow-run-r57" class="ow-row">'
                      '<td>r57</td><td>critical · 4 h</td></tr></template>')


def test_a_moved_row_is_deleted_and_inserted_after_its_new_predecessor():
    old = split(marked([("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")]))
    new = split(marked([("a", "1"), ("d", "1"), ("b", "1"), ("c", "1")]))
    answer = plan(old.snapshot(), new, ROWS_ID)
    assert answer.count("hx-swap-oob") == 2 and 'afterend:#ow-run-a' in answer
    assert same(apply_oob(old.html, answer), new.html)


def test_a_changed_frame_or_an_unchanged_panel_are_told_apart():
    rows = [("a", "1"), ("b", "2")]
    old = split(marked(rows, frame="Acme is down"))
    assert plan(old.snapshot(), split(marked(rows, frame="")), ROWS_ID) is None  # whole panel
    assert plan(old.snapshot(), old, ROWS_ID) == ""  # nothing changed


def test_the_marks_never_reach_the_viewer_and_a_viewers_token_is_not_the_frame():
    a = split(marked([("a", "1")], frame="token-alice"), ignore=("token-alice",))
    b = split(marked([("a", "1")], frame="token-bob"), ignore=("token-bob",))
    assert a.frame == b.frame
    assert "<!--ow-" not in a.html and 'id="ow-run-a"' in a.html


def test_only_the_last_versions_are_kept():
    versions = Versions(size=2)
    for v in "xyz":
        versions.remember(v, split(marked([(v, "1")])))
    assert versions.get("x") is None and versions.get("z").rows[0][0] == "ow-run-z"
