"""Bytes on the wire: the standalone app compresses what it sends when the client asks
(brotli, else gzip), the answer decodes to exactly what an uncompressed one says, and
static files come under versioned URLs that a browser keeps for a year."""
import gzip
import re

import brotli
import pytest

FIRST_LOAD_BUDGET = 35 * 1024
OVERVIEW_BUDGET = 30 * 1024  # issue 24: the overview page with its stylesheet and htmx
STRIP_BUDGET = 600  # a compact strip of an agent's last runs, per row


def raw(panel, path, encoding, **headers):
    """The bytes as they travel, undecoded."""
    resp = panel.get(path, headers={"Accept-Encoding": encoding, **headers}, stream=True)
    return resp, resp.raw.read()


def decode(body: bytes, encoding: str | None) -> bytes:
    return {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(body)


def static_urls(page_html: str) -> list[str]:
    return [u.replace("&amp;", "&")
            for u in re.findall(r'(?:href|src)="(/operations/static/[^"]+)"', page_html)]


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_compressed_answer_decodes_to_the_same_bytes(demo, panel, encoding):
    page = panel.get("/operations", headers={"Accept-Encoding": "identity"}).text
    for path in ["/api/operations/openapi.json", *static_urls(page)]:
        plain, plain_body = raw(panel, path, "identity")
        packed, packed_body = raw(panel, path, encoding)
        assert plain.headers.get("Content-Encoding") is None
        assert packed.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed_body) < len(plain_body) / 2, path
        assert decode(packed_body, encoding) == plain_body, path


def test_the_twin_decodes_to_the_same_runs(demo, panel, encoding="br"):
    import json
    plain = panel.get("/api/operations/agents", headers={"Accept-Encoding": "identity"}).json()
    packed, body = raw(panel, "/api/operations/agents", encoding)
    assert packed.headers["Content-Encoding"] == encoding
    decoded = json.loads(decode(body, encoding))
    assert decoded["companies"] == plain["companies"]
    assert len(decoded["runs"]) == len(plain["runs"]) >= 5


def test_the_page_and_the_fragment_decode_to_the_same_html(demo, panel):
    # the page shows ages, so both answers are read within the same minute or retried
    for _ in range(3):
        _, plain = raw(panel, "/operations/agents", "identity")
        packed, body = raw(panel, "/operations/agents", "br")
        if decode(body, "br") == plain:
            break
    assert packed.headers["Content-Encoding"] == "br" and decode(body, "br") == plain
    page, body = raw(panel, "/operations", "gzip")
    assert page.headers["Content-Encoding"] == "gzip"
    assert b'id="ow-agents"' in decode(body, "gzip")


def test_no_compression_unless_asked(panel):
    resp, body = raw(panel, "/operations", "identity")
    assert resp.headers.get("Content-Encoding") is None and body.startswith(b"<!doctype html>")


def test_static_files_are_versioned_and_kept_for_a_year(panel):
    urls = static_urls(panel.get("/operations").text)
    assert len(urls) == 4 and all("?v=" in u for u in urls)
    for url in urls:
        cache = panel.get(url).headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "no-cache" not in cache
        # the same file under a stale or missing version is revalidated, never pinned
        for stale in (url.split("?")[0], url.split("?")[0] + "?v=0000"):
            assert "immutable" not in panel.get(stale).headers.get("Cache-Control", "")


def first_load(panel, path: str) -> int:
    """The page and every static file it names, as sent to a browser that takes br."""
    resp, page = raw(panel, path, "br, gzip")
    return len(page) + sum(len(raw(panel, u, "br, gzip")[1])
                           for u in static_urls(decode(page, resp.headers["Content-Encoding"]).decode()))


def test_first_load_over_the_wire_fits_the_budget(demo, panel):
    assert first_load(panel, "/operations") <= FIRST_LOAD_BUDGET


def test_the_overviews_first_load_and_each_rows_strip_fit_their_budgets(demo, panel):
    total = first_load(panel, "/operations/overview")
    panel.get("/operations/attention")  # the history the rows' strips are drawn from
    rows = panel.get("/operations/agents", headers={"HX-Request": "true"}).text
    strips = re.findall(r'<svg class="ow-pic ow-pic-compact".*?</svg>', rows)
    print(f"\noverview first load {total} B; strips {sorted(len(s.encode()) for s in strips)} B")
    assert total <= OVERVIEW_BUDGET
    assert len(strips) >= 5 and max(len(s.encode()) for s in strips) <= STRIP_BUDGET


def test_an_unchanged_twin_is_still_a_304_when_compressed(demo, panel):
    for _ in range(3):  # an age may tick over a minute in between
        first = panel.get("/api/operations/agents", headers={"Accept-Encoding": "br"})
        again = panel.get("/api/operations/agents", headers={
            "Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
        if again.status_code == 304:
            break
    assert again.status_code == 304 and again.content == b""


def test_a_current_static_file_is_packed_at_brotlis_best_and_only_that(panel):
    """Quality 11 for the versioned URL the page names; a made-up version is compressed
    as any answer is (quality 5), so that no visitor can fill the packed files' cache."""
    url = next(u for u in static_urls(panel.get("/operations").text) if "opsweb.js" in u)
    plain = raw(panel, url, "identity")[1]
    best = raw(panel, url, "br")[1]
    assert brotli.decompress(best) == plain and best == brotli.compress(plain, quality=11)
    stale = raw(panel, url.split("?")[0] + "?v=0000", "br")[1]
    assert brotli.decompress(stale) == plain and len(stale) > len(best)


def test_opsweb_s_own_files_are_sent_without_their_comments_and_htmx_as_it_is(panel):
    """Comments explain the source; the browser gets the code (3 KB less on a first
    load). What is left is the file minus exactly those lines and blocks."""
    from pathlib import Path
    static = Path(__file__).resolve().parents[1] / "opsweb" / "static"
    for url in static_urls(panel.get("/operations").text):
        name = url.split("?")[0].rsplit("/", 1)[1]
        sent = panel.get(url, headers={"Accept-Encoding": "identity"}).text
        source = (static / name).read_text(encoding="utf-8")
        if name.startswith("htmx"):
            assert sent == source
        elif name.endswith(".js"):
            assert sent == "".join(line for line in source.splitlines(keepends=True)
                                   if not line.lstrip().startswith("//"))
        else:
            assert "/*" not in sent and len(sent) < len(source) * 0.95
            assert re.sub(r"/\*.*?\*/\n?", "", source, flags=re.S) == sent
