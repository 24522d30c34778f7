"""Answering opsweb's in-page confirm dialog (opsweb.js, `#ow-confirm`) as a test tells
it, the way `page.on("dialog")` answered the browser's prompt() before it: a
MutationObserver in the page fills the reason and presses Confirm, or presses Cancel,
and keeps the consequence each dialog said. The keyboard behaviour itself (Escape,
focus trapped and given back) is driven by real key presses in test_batches_in_browser.py."""
from __future__ import annotations

_WATCH = """(answer) => {
  window.owAnswer = answer;
  if (window.owConfirmWatch) { return; }
  window.owAsked = [];
  window.owConfirmWatch = new MutationObserver(() => {
    const d = document.getElementById("ow-confirm");
    if (!d || !d.open || d.dataset.answered) { return; }
    d.dataset.answered = "1";
    window.owAsked.push(d.querySelector(".ow-confirm-text").textContent);
    if (window.owAnswer === null) { d.querySelector(".ow-confirm-cancel").click(); return; }
    d.querySelector(".ow-confirm-reason").value = window.owAnswer;
    d.querySelector(".ow-confirm-ok").click();
  });
  window.owConfirmWatch.observe(document.body, {childList: true});
}"""


class InPageConfirm:
    """`reason`: the text to confirm with ("" for none), or None to cancel."""

    def __init__(self, page, reason: str | None):
        self.page = page
        self.reason = reason

    @property
    def reason(self) -> str | None:
        return self._reason

    @reason.setter
    def reason(self, value: str | None) -> None:
        self._reason = value
        self.page.evaluate(_WATCH, value)

    @property
    def asked(self) -> list[str]:
        return self.page.evaluate("() => window.owAsked || []")
