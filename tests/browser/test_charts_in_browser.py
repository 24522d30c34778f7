"""The charts and strips in Chromium, light and dark (its emulated
prefers-color-scheme), English and Hebrew: the README's pictures of the overview and of
an agent card with its day strip, and an axe-style contrast check of the dark pages —
every visible piece of text, its computed colour against the background it is drawn
on (translucent layers composited), at WCAG AA: 4.5:1, or 3:1 for large text.
OPSWEB_UPDATE_DOCS=1 also writes docs/overview*.png and docs/agent-card-strip.png."""
from __future__ import annotations

import pytest

from .conftest import VIEWPORT, expect
from .test_readme_screenshots import keep

pytestmark = pytest.mark.browser

DEPLOY_BOT = "a9e00017-0000-4000-8000-000000000017"  # the demo's failure loop

# For each element with text of its own: [ratio, needed, text, its tag and classes].
CONTRAST = """() => {
  const rgba = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, below) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]); };
  const lum = (c) => { const l = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const b = rgba(getComputedStyle(e).backgroundColor);
      if (b && b[3] > 0) { layers.push(b); if (b[3] === 1) break; } }
    let c = [255, 255, 255, 1];  // the canvas under everything
    for (const layer of layers.reverse()) c = over(layer, c);
    return c; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest('.ow-sr, svg title, option')) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || parseFloat(s.opacity) === 0) continue;
    const svg = el.closest('svg');
    let fg = rgba(svg ? s.fill : s.color);
    const bg = background(svg ? svg.parentElement : el);
    fg = over(fg, bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize) * (svg ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1);
    const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight) >= 700);
    out.push([Math.round(ratio * 100) / 100, large ? 3 : 4.5, el.textContent.trim().slice(0, 40),
              el.tagName.toLowerCase() + '.' + [...el.classList].join('.')]);
  }
  return out;
}"""


def low_contrast(page) -> list:
    checked = page.evaluate(CONTRAST)
    assert len(checked) > 20  # the check saw the page
    return [c for c in checked if c[0] < c[1]]


def open_in(browser, url: str, scheme: str, locale: str = "en-US"):
    context = browser.new_context(viewport=VIEWPORT, locale=locale, color_scheme=scheme)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(url)
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", ["en-US", "he-IL"])
def test_the_overview_in_both_languages_and_both_schemes(demo, panel, browser, scheme, locale):
    panel.get("/operations/agents")  # a first sample of the live runs
    context, page = open_in(browser, panel.url + "/operations/overview", scheme, locale)
    try:
        charts = page.locator("#ow-overview svg[role=img]")
        expect(charts).to_have_count(4)  # runs per hour, success rate, live runs, spend
        expect(page.locator("#ow-chart-spend rect.ow-spend-bar").first).to_be_visible()
        hours = page.locator("#ow-chart-hours svg")
        assert hours.evaluate("el => el.querySelector('title').textContent")
        # the colours come from the stylesheet's palette of the scheme asked for
        panel_bg = page.locator("#ow-overview").evaluate("el => getComputedStyle(el).backgroundColor")
        assert (panel_bg == "rgb(255, 255, 255)") == (scheme == "light")
        ok = page.locator("#ow-chart-hours path.ow-ok").first
        if ok.count():
            assert ok.evaluate("el => getComputedStyle(el).fill") == (
                "rgb(31, 138, 76)" if scheme == "light" else "rgb(76, 194, 126)")
        bad = page.locator("#ow-chart-hours path.ow-bar-bad").first
        if bad.count():  # failures are hatched: a pattern, not a colour alone
            assert "url(" in bad.evaluate("el => getComputedStyle(el).fill")
        name = "overview" + ("-he" if locale == "he-IL" else "") + ("-dark" if scheme == "dark" else "")
        keep(page, name, full_page=True)
        if scheme == "dark":
            assert low_contrast(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_agent_card_shows_its_day_and_the_panel_its_strips(demo, panel, browser, scheme):
    context, page = open_in(browser, panel.url + "/operations", scheme)
    try:
        page.locator(f'#ow-attention li[data-agent-id="{DEPLOY_BOT}"] svg.ow-pic-compact').wait_for()
        title = page.locator(f'#ow-attention li[data-agent-id="{DEPLOY_BOT}"] svg title').text_content()
        assert title.startswith("The last") and "failed" in title
        page.locator(f"#ow-att-card-failure_loop-{DEPLOY_BOT}").click()
        card = page.locator("#ow-log-dialog .ow-agent-card")
        expect(card.locator("#ow-card-day svg[role=img]")).to_be_visible()
        assert card.locator("#ow-card-day path.ow-bad").count() == 1
        if scheme == "light":
            card.locator("#ow-card-day").scroll_into_view_if_needed()
            keep(page, "agent-card-strip")
        else:  # the dark page, the dialog over it and the strips in it
            assert low_contrast(page) == []
    finally:
        context.close()
