"""htmx is one pinned file of the 2.0 line; the page loads exactly that file."""
import hashlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "opsweb" / "static"
HTMX = STATIC / "htmx-2.0.11.min.js"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_htmx_is_the_pinned_2_0_file():
    data = HTMX.read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert b'version:"2.0.11"' in data
    assert sorted(p.name for p in STATIC.glob("htmx*")) == [HTMX.name]


def test_the_page_loads_the_pinned_htmx_and_nothing_from_elsewhere(panel):
    page = panel.soup("/operations")
    scripts = [s["src"] for s in page.find_all("script")]
    assert any(src.split("?")[0].endswith("/htmx-2.0.11.min.js") for src in scripts)
    assert all(src.startswith("/") for src in scripts)  # no CDN
    served = panel.get(next(s for s in scripts if "htmx" in s))
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == HTMX_SHA256
