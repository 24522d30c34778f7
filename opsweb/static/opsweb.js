// The few things htmx cannot do from attributes: open the log dialog when its content
// arrives and give focus back to the opener when it closes, keep following the bottom
// of the log unless the operator scrolled up, keep a bounded amount of a followed log
// in the page, pair a tool result that arrived in a later poll with its call, copy
// the run id, and show opsweb's error fragments (htmx leaves 4xx/5xx answers
// unswapped by default). Scoped to opsweb's own elements.
(function () {
  "use strict";
  var opener = null;
  var stick = true;

  function logDialog() {
    var dialog = document.getElementById("ow-log-dialog");
    if (!dialog) {  // embedded in a host page that has no dialog of its own
      dialog = document.createElement("dialog");
      dialog.id = "ow-log-dialog";
      dialog.className = "ow-root ow-dialog";
      dialog.setAttribute("aria-labelledby", "ow-log-title");
      document.body.appendChild(dialog);
    }
    return dialog;
  }

  function isOurs(elt) {
    return elt && elt.closest && elt.closest(".ow-root");
  }

  function nearBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = logDialog();
    dialog.addEventListener("close", function () {
      dialog.replaceChildren();  // removing the pollers stops them
      forgetRunInAddress();
      if (opener && document.contains(opener)) { opener.focus(); }
      else if (opener && opener.id && document.getElementById(opener.id)) {
        document.getElementById(opener.id).focus();  // the panel refreshed meanwhile
      }
    });
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "ow-log-dialog") {
      opener = evt.detail.elt;
    }
  });

  // An action's prompt is its confirmation and its reason. htmx sends the answer as
  // the HX-Prompt header, which cannot carry non-Latin-1 text: send it as the form
  // field `reason` instead.
  document.addEventListener("htmx:configRequest", function (evt) {
    if (isOurs(evt.detail.elt) && evt.detail.headers["HX-Prompt"] !== undefined) {
      evt.detail.parameters.reason = evt.detail.headers["HX-Prompt"];
      delete evt.detail.headers["HX-Prompt"];
    }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (evt.detail.xhr.status >= 400 && isOurs(evt.detail.elt || target)) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
    if (target && target.id === "ow-log-entries") { stick = nearBottom(target); }
  });

  // Opening a log puts ?run=<id> in the address bar (HX-Push-Url); closing it takes
  // it out again, so that a reload shows the panel alone.
  function forgetRunInAddress() {
    var url = new URL(window.location.href);
    if (!url.searchParams.has("run")) { return; }
    url.searchParams.delete("run");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  // A followed log keeps at most data-max-entries entries and data-max-chars of text
  // (twice that while the operator reads further up, so that what they loaded stays).
  // The oldest go first, whole records at a time, and a "Load earlier output" button
  // asks for the output before the first entry kept.
  function trimLog(log, following) {
    var factor = following ? 1 : 2;
    var maxEntries = factor * (parseInt(log.getAttribute("data-max-entries"), 10) || 5000);
    var maxChars = factor * (parseInt(log.getAttribute("data-max-chars"), 10) || 1000000);
    var items = log.querySelectorAll(":scope > .ow-entry[data-offset]");
    var chars = log.textContent.length;
    if (items.length <= maxEntries && chars <= maxChars) { return; }
    var height = log.scrollHeight;
    var i = 0;
    var dropped = null;
    while (i < items.length - 1 && (items.length - i > maxEntries || chars > maxChars)) {
      dropped = items[i].getAttribute("data-offset");
      chars -= items[i].textContent.length;
      i += 1;
    }
    while (i < items.length - 1 && items[i].getAttribute("data-offset") === dropped) { i += 1; }
    var first = items[i];
    while (log.firstChild && log.firstChild !== first) { log.removeChild(log.firstChild); }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ow-btn ow-earlier";
    button.textContent = "Load earlier output";
    button.setAttribute("hx-get", log.getAttribute("data-log-url") + "?before=" +
                        encodeURIComponent(first.getAttribute("data-offset")));
    button.setAttribute("hx-target", "this");
    button.setAttribute("hx-swap", "outerHTML");
    log.insertBefore(button, first);
    htmx.process(button);
    if (!following) { log.scrollTop -= height - log.scrollHeight; }  // keep what is being read in place
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest(".ow-copy[data-copy]");
    if (!button || !isOurs(button)) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(done, function () { selectText(source); });
    } else {
      selectText(source);  // the operator copies with the keyboard
    }
  });

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function pairToolResults(log) {
    log.querySelectorAll(".ow-call-running").forEach(function (state) {
      var call = state.closest(".ow-entry-tool_call");
      var id = call.getAttribute("data-tool-use-id");
      var result = log.querySelector('.ow-entry-tool_result[data-tool-use-id="' +
                                     CSS.escape(id) + '"]');
      if (!result) { return; }
      var now = result.getAttribute("data-call-state");  // decided by the server
      // the word in the page's language, from the dialog's root (log.html)
      var view = log.closest(".ow-log-view");
      state.textContent = (view && view.getAttribute("data-label-" + now)) || now;
      state.className = "ow-call-state ow-call-" + now;
      var name = result.querySelector(".ow-tool-name");
      if (name && !name.textContent) {
        name.textContent = call.querySelector(".ow-tool-name").textContent;
      }
    });
  }

  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "ow-log-entries") {
      pairToolResults(target);
      trimLog(target, stick);
    }
    if (target && target.id === "ow-log-dialog") {
      if (!target.open) { target.showModal(); }
      var entries = document.getElementById("ow-log-entries");
      if (entries) {
        trimLog(entries, true);
        entries.scrollTop = entries.scrollHeight;
      }
      stick = true;
    } else if (target && target.id === "ow-log-entries" && stick) {
      target.scrollTop = target.scrollHeight;
    }
  });
})();
