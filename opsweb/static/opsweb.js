// The few things htmx cannot do from attributes: send a panel row's actions (said once
// on its table) and keep their focus across refreshes, open the log dialog when its
// content arrives and give focus back to the opener when it closes, keep following the
// bottom of the log unless the operator scrolled up, keep a bounded amount of a
// followed log in the page, pair a tool result that arrived in a later poll with its
// call, copy the run id, show opsweb's error fragments (htmx leaves 4xx/5xx answers
// unswapped by default), and show times in the browser's zone. Scoped to opsweb's own
// elements.
(function () {
  "use strict";
  var opener = null;
  var openerPlace = null;
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
    localTimes();
    // the log opened as a page of its own starts at its end and follows it, as the
    // dialog does (below, on htmx:afterSwap)
    var log = document.getElementById("ow-log-entries");
    if (log && !log.closest("dialog")) { openLog(log); }
    var dialog = logDialog();
    dialog.addEventListener("close", function () {
      dialog.replaceChildren();  // removing the pollers stops them
      forgetRunInAddress();
      // the opener, or its successor when the panel refreshed meanwhile
      var back = document.contains(opener) ? opener : findPlace(openerPlace)
        || (opener && opener.id && document.getElementById(opener.id));
      if (back) { back.focus(); }
    });
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "ow-log-dialog") {
      opener = evt.detail.elt;
      openerPlace = placeOf(opener);
    }
  });

  // The panel's rows stay light (issue 15): a row's button is its kind (class ow-do-…)
  // and its accessible name; its table says once where each kind goes and how Stop and
  // Pause ask first (data-ow-<kind>, data-ow-ask-<kind>). Here the row fills them in —
  // {run}, {agent}, {name}, {status} — and htmx sends the request from the button, so
  // the table's hx-swap and hx-sync and the panel's CSRF header apply. Stop and Pause
  // answer into the row's outcome slot, a live region made when first needed.
  var ROW_KIND = /(?:^|\s)(ow-do-(log|stop|pause|card))(?:\s|$)/;

  function fromRow(template, row) {
    var values = {run: row.getAttribute("data-run-id"), agent: row.getAttribute("data-agent-id"),
                  name: row.querySelector(".ow-agent bdi").textContent,
                  status: row.querySelector(".ow-status").textContent};
    return template.replace(/\{(run|agent|name|status)\}/g, function (all, key) { return values[key]; });
  }

  function rowAction(evt) {
    var button = evt.target.closest && evt.target.closest("button");
    var kind = button && ROW_KIND.exec(button.className);
    var table = kind && button.closest("table[data-ow-log]");
    if (!table || !isOurs(table)) { return; }
    evt.preventDefault();  // a panel inside a host's form submits nothing
    var row = button.closest("tr[data-run-id]");
    var url = fromRow(table.getAttribute("data-ow-" + kind[2]), row);
    var ask = table.getAttribute("data-ow-ask-" + kind[2]);
    if (!ask) {  // Log and Agent open the dialog
      htmx.ajax("GET", url, {source: button, target: "#ow-log-dialog"});
      return;
    }
    window.opswebConfirm(button, fromRow(ask, row), table, false, null).then(function (reason) {
      if (reason === null) { return; }  // Cancel: nothing is sent
      var slot = row.querySelector(".ow-outcome-slot");
      if (!slot) {
        slot = document.createElement("span");
        slot.className = "ow-outcome-slot";
        slot.setAttribute("aria-live", "polite");
        button.parentNode.appendChild(slot);
      }
      htmx.ajax("POST", url, {source: button, target: slot, values: {reason: reason}});
    });
  }

  document.addEventListener("click", rowAction);

  // Without ids, htmx cannot give the focus back to a row's button when a refresh
  // replaced its row: find it again by its row's id and its kind. A row itself (j/k
  // below) is found again by its id.
  function placeOf(el) {
    if (el && el.matches && el.matches("#ow-rows > tr[id]")) { return {row: el.id, kind: null}; }
    var row = el && !el.id && el.closest && el.closest("tr[id]");
    var kind = row && ROW_KIND.exec(el.className || "");
    return kind ? {row: row.id, kind: kind[1]} : null;
  }

  function findPlace(place) {
    var row = place && document.getElementById(place.row);
    if (row && !place.kind) { row.tabIndex = -1; }  // rows take focus from the script only
    return row && (place.kind ? row.querySelector("." + place.kind) : row);
  }

  var focusPlace = null;
  var focused = null;
  document.addEventListener("htmx:beforeSwap", function () {
    focused = document.activeElement;
    focusPlace = placeOf(focused);
  });
  document.addEventListener("htmx:afterOnLoad", function () {
    if (!focusPlace || document.contains(focused)) { return; }
    var again = findPlace(focusPlace);
    if (again) { again.focus({preventScroll: true}); }
    focusPlace = null;
  });

  // Keys (issue 25): j and k move between the panel's rows, Enter opens the focused
  // row's log (a group's or a folded company's link), / goes to the filter — or to the
  // search box of an open log, when it has one — and ? lists the keys (the page's
  // #ow-keys dialog, translated there). Never while typing in a field, never with a
  // modifier, and j/k/Enter not while a dialog covers the rows.
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function focusRow(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#ow-rows > tr[id]"));
    if (!rows.length) { return; }
    var at = rows.indexOf(document.activeElement && document.activeElement.closest("#ow-rows > tr"));
    var next = at < 0 ? (step > 0 ? rows[0] : rows[rows.length - 1])
      : rows[Math.min(rows.length - 1, Math.max(0, at + step))];
    next.tabIndex = -1;
    next.focus();
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.defaultPrevented || evt.ctrlKey || evt.metaKey || evt.altKey || typing(evt.target)
        || !document.querySelector(".ow-root")) { return; }
    var covered = document.querySelector("dialog.ow-dialog[open]");
    var keys = document.getElementById("ow-keys");
    // by the key's place, not its letter: a Hebrew layout types ח and ל on j and k
    var key = {KeyJ: "j", KeyK: "k"}[evt.code] || evt.key;
    if (evt.code === "Slash" && key !== "/" && key !== "?") { key = evt.shiftKey ? "?" : "/"; }
    if (key === "?" && keys) {
      evt.preventDefault();
      if (keys.open) { keys.close(); } else { keys.showModal(); }
    } else if (key === "/") {
      var box = covered ? covered.querySelector("input[type=search]") : document.getElementById("ow-filter-agent");
      if (box) { evt.preventDefault(); box.focus(); box.select(); }
    } else if (covered) {
      return;
    } else if (key === "j" || key === "k") {
      evt.preventDefault();
      focusRow(key === "j" ? 1 : -1);
    } else if (evt.key === "Enter" && evt.target.matches("#ow-rows > tr")) {
      var open = evt.target.querySelector(".ow-do-log, .ow-actions a");
      if (!open) { return; }
      evt.preventDefault();
      open.click();
      if (open.matches(".ow-do-log")) {  // Esc gives the focus back to the row
        opener = evt.target;
        openerPlace = placeOf(opener);
      }
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

  // A log opens at its end and follows it; opened at a search match (#ow-log-at) it
  // shows that line instead, and follows again once the operator is back at the end.
  function openLog(log) {
    var at = document.getElementById("ow-log-at");
    trimLog(log, !at);
    if (at) {
      at.scrollIntoView({block: "center"});
    } else {
      log.scrollTop = log.scrollHeight;
    }
    stick = !at;
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

  // Times in the operator's own zone. The server writes UTC, correct without JS: a
  // clock time says "03:10:10 UTC", a hover "2026-12-04 03:10:10 UTC". Here every
  // <time datetime> of opsweb's gets its hover in the browser's zone with UTC beside
  // it, and a clock time (class ow-clock) its text in that zone, named.
  var formats = {};

  function format(lang, kind) {
    var key = lang + " " + kind;
    if (!formats[key]) {
      var parts = {hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
                   timeZoneName: "short"};
      if (kind === "full") { parts.year = "numeric"; parts.month = "2-digit"; parts.day = "2-digit"; }
      try { formats[key] = new Intl.DateTimeFormat(lang || undefined, parts); }
      catch (e) { formats[key] = new Intl.DateTimeFormat(undefined, parts); }
    }
    return formats[key];
  }

  function localTimes() {
    document.querySelectorAll("time[datetime]:not([data-ow-utc])").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isOurs(el) || !el.getAttribute("datetime") || isNaN(when.getTime())) { return; }
      var place = el.closest("[lang]");
      var lang = place ? place.getAttribute("lang") : "";
      var utc = when.toISOString().slice(0, 19).replace("T", " ") + " UTC";
      el.setAttribute("data-ow-utc", utc);
      el.title = format(lang, "full").format(when) + " · " + utc;
      if (el.classList.contains("ow-clock")) { el.textContent = format(lang, "clock").format(when); }
    });
    // a hover that is not a <time> (a row's silence: "last output: … UTC") gets the
    // local time beside its UTC one too
    document.querySelectorAll("[title$=' UTC']:not(time):not([data-ow-utc])").forEach(function (el) {
      var found = UTC_TITLE.exec(el.title);
      if (!found || !isOurs(el)) { return; }
      var place = el.closest("[lang]");
      var when = new Date(found[2] + "T" + found[3] + "Z");
      el.setAttribute("data-ow-utc", found[2] + " " + found[3] + " UTC");
      el.title = found[1] + format(place ? place.getAttribute("lang") : "", "full").format(when) +
        " · " + found[2] + " " + found[3] + " UTC";
    });
  }

  var UTC_TITLE = /^(.*?)(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/;

  document.addEventListener("htmx:afterSettle", localTimes);

  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "ow-log-entries") {
      pairToolResults(target);
      trimLog(target, stick);
    }
    if (target && target.id === "ow-log-dialog") {
      if (!target.open) { target.showModal(); }
      var entries = document.getElementById("ow-log-entries");
      if (entries) { openLog(entries); } else { stick = true; }
    } else if (target && target.id === "ow-log-entries" && stick) {
      target.scrollTop = target.scrollHeight;
    }
  });
})();

// The in-page confirm dialog (issue 25 item 9), for Stop, Pause, Resume, Reset and
// batches: the consequence, a reason with its limit shown, and a modal's keyboard
// (showModal traps focus and makes Escape cancel; the focus goes back to the asker).
// Its words come from the asker's closest data-ow-confirm (JSON, in the page's
// language). `opswebConfirm(asker, text, wordsFrom, required, node)` resolves to the
// reason ("" when none) or null when cancelled. Then the panel's selection: a checkbox
// per row, kept across refreshes by run id, and the bar's batch actions, previewed by
// the server in the same dialog before anything is sent.
(function () {
  "use strict";
  var LIMIT = 300;

  function words(from) {
    var holder = from && from.closest && from.closest("[data-ow-confirm]");
    try { return JSON.parse(holder.getAttribute("data-ow-confirm")); } catch (e) { return {}; }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  window.opswebConfirm = function (asker, text, wordsFrom, required, node) {
    var say = words(wordsFrom || asker);
    var dialog = el("dialog", "ow-root ow-dialog ow-confirm");
    dialog.id = "ow-confirm";
    dialog.setAttribute("aria-labelledby", "ow-confirm-title");
    dialog.setAttribute("aria-describedby", "ow-confirm-text");
    var root = asker.closest("[lang]");
    if (root) { dialog.lang = root.lang; dialog.dir = root.dir || ""; }
    var form = el("form", "ow-confirm-form");
    form.method = "dialog";
    var title = el("h2", "ow-title", say.title || "Confirm");
    title.id = "ow-confirm-title";
    var body = el("div", "ow-confirm-text");
    body.id = "ow-confirm-text";
    if (text) { body.appendChild(el("p", null, text)); }
    if (node) { body.appendChild(node); }
    var label = el("label", "ow-confirm-label", required ? say.required : say.reason);
    label.htmlFor = "ow-confirm-reason";
    var input = el("input", "ow-confirm-reason");
    input.id = "ow-confirm-reason";
    input.type = "text";
    input.maxLength = LIMIT;
    input.required = !!required;
    input.setAttribute("aria-describedby", "ow-confirm-limit");
    var limit = el("span", "ow-note ow-confirm-limit", "0 / " + LIMIT + " · " + (say.limit || ""));
    limit.id = "ow-confirm-limit";
    input.addEventListener("input", function () {
      limit.textContent = input.value.length + " / " + LIMIT + " · " + (say.limit || "");
    });
    var buttons = el("p", "ow-confirm-buttons");
    var no = el("button", "ow-btn ow-confirm-cancel", say.cancel || "Cancel");
    no.type = "button";
    var yes = el("button", "ow-btn ow-btn-danger ow-confirm-ok", say.confirm || "Confirm");
    yes.type = "submit";
    buttons.append(no, yes);
    form.append(title, body, label, input, limit, buttons);
    dialog.appendChild(form);
    var old = document.getElementById("ow-confirm");
    if (old) { old.remove(); }
    document.body.appendChild(dialog);
    return new Promise(function (resolve) {
      var answer = null;
      no.addEventListener("click", function () { dialog.close(); });
      form.addEventListener("submit", function (evt) {
        evt.preventDefault();
        if (required && !input.value.trim()) { input.setCustomValidity(say.empty || "");
          input.reportValidity(); return; }
        answer = input.value.trim();
        dialog.close();
      });
      input.addEventListener("input", function () { input.setCustomValidity(""); });
      // showModal makes the page inert, but Tab would still leave for the browser's own
      // controls: cycle within the dialog instead
      dialog.addEventListener("keydown", function (evt) {
        if (evt.key !== "Tab") { return; }
        var stops = dialog.querySelectorAll("input, button, a[href], summary");
        var first = stops[0], last = stops[stops.length - 1];
        if (evt.shiftKey && document.activeElement === first) { last.focus(); evt.preventDefault(); }
        else if (!evt.shiftKey && document.activeElement === last) { first.focus(); evt.preventDefault(); }
      });
      dialog.addEventListener("close", function () {
        dialog.remove();
        if (document.contains(asker)) { asker.focus(); }
        resolve(answer);
      });
      dialog.showModal();
      input.focus();
    });
  };

  // A button that asks first (data-ow-ask): its hx-post has one trigger, ow-confirmed,
  // fired once the dialog is confirmed; the reason rides along as a form field.
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("button[data-ow-ask][hx-post]");
    if (!button || !button.closest(".ow-root")) { return; }
    evt.preventDefault();
    window.opswebConfirm(button, button.getAttribute("data-ow-ask"), button, false, null)
      .then(function (reason) {
        if (reason === null) { return; }
        button.owReason = reason;
        htmx.trigger(button, "ow-confirmed");
      });
  });
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.owReason !== undefined) {
      evt.detail.parameters.reason = elt.owReason;
      delete elt.owReason;
    }
  });

  // -- selection -------------------------------------------------------------
  var picked = {};  // run id → {agent, status}
  var matching = false;  // "select all N matching the filter"

  function bar() { return document.getElementById("ow-selection"); }

  function csrf() {
    var panel = document.getElementById("ow-agents");
    try { return JSON.parse(panel.getAttribute("hx-headers"))["X-CSRF-Token"]; } catch (e) { return ""; }
  }

  function showBar() {
    var b = bar();
    if (!b) { return; }
    var ids = Object.keys(picked);
    b.hidden = !ids.length && !matching;
    var count = matching ? b.getAttribute("data-ow-matching") : String(ids.length);
    b.querySelector(".ow-selection-count").textContent =
      b.getAttribute("data-ow-count").replace("{num}", count);
    var queued = matching || ids.some(function (id) { return picked[id].status === "queued"; });
    b.querySelector('[data-ow-batch="cancel_queued"]').hidden = !queued;
    var all = b.querySelector(".ow-select-matching");
    all.hidden = matching || ids.length >= parseInt(b.getAttribute("data-ow-matching"), 10);
  }

  // Rows stay light (issue 15): their checkboxes are added here, named from the
  // table's data-ow-pick ("Select the run of {name}"); a run with a malformed id has none.
  function addBoxes() {
    var table = document.querySelector("table[data-ow-pick]");
    if (!table) { return; }
    table.querySelectorAll("#ow-rows tr[data-run-id] td.ow-company").forEach(function (cell) {
      var row = cell.parentNode;
      if (cell.querySelector("input.ow-pick") || !row.querySelector(".ow-do-stop")) { return; }
      var box = el("input", "ow-pick");
      box.type = "checkbox";
      box.setAttribute("aria-label", table.getAttribute("data-ow-pick")
        .replace("{name}", row.querySelector(".ow-agent bdi").textContent));
      cell.insertBefore(box, cell.firstChild);
    });
  }

  // An agent a running drain waits for shows "draining" on its rows (the word from the
  // batch's own fragment, in the page's language) until the batch pauses it.
  function markDraining() {
    document.querySelectorAll("#ow-rows .ow-draining").forEach(function (b) { b.remove(); });
    document.querySelectorAll(".ow-batch .ow-batch-item.ow-outcome-draining[data-target]")
      .forEach(function (item) {
        var word = item.closest(".ow-batch").getAttribute("data-ow-draining");
        document.querySelectorAll('#ow-rows tr[data-agent-id="' + CSS.escape(item.getAttribute("data-target")) + '"] td.ow-agent')
          .forEach(function (cell) {
            cell.appendChild(el("span", "ow-badge ow-draining", word));
          });
      });
  }

  function applyPicks() {
    addBoxes();
    markDraining();
    document.querySelectorAll("#ow-rows input.ow-pick").forEach(function (box) {
      var row = box.closest("tr[data-run-id]");
      box.checked = matching || !!picked[row.getAttribute("data-run-id")];
    });
    showBar();
  }

  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches("#ow-rows input.ow-pick")) { return; }
    var row = box.closest("tr[data-run-id]");
    matching = false;
    if (box.checked) {
      picked[row.getAttribute("data-run-id")] = {agent: row.getAttribute("data-agent-id"),
        status: row.querySelector(".ow-status").className.indexOf("ow-status-queued") >= 0 ? "queued" : "running"};
    } else {
      delete picked[row.getAttribute("data-run-id")];
    }
    applyPicks();
  });
  document.addEventListener("htmx:afterSettle", applyPicks);
  document.addEventListener("DOMContentLoaded", applyPicks);

  function selection(action) {
    var form = new FormData();
    form.append("action", action);
    var b = bar();
    if (matching) {
      var filter = JSON.parse(b.getAttribute("data-ow-filter") || "{}");
      Object.keys(filter).forEach(function (k) { form.append("filter_" + k, filter[k]); });
      form.append("matching", "1");
      return form;
    }
    var runs = Object.keys(picked);
    var agentAction = ["pause", "resume", "drain"].indexOf(action) >= 0;
    var seen = {};
    runs.forEach(function (id) {
      if (action === "cancel_queued" && picked[id].status !== "queued") { return; }
      var value = agentAction ? picked[id].agent : id;
      if (seen[value]) { return; }
      seen[value] = true;
      form.append(agentAction ? "agentIds" : "runIds", value);
    });
    return form;
  }

  function post(url, form) {
    return fetch(url, {method: "POST", body: form, credentials: "same-origin",
                       headers: {"X-CSRF-Token": csrf(), "HX-Request": "true"}});
  }

  function batchArea() {
    var area = document.getElementById("ow-batch-area");
    if (!area) {
      area = el("div", "ow-root ow-batch-area");
      area.id = "ow-batch-area";
      var panel = document.getElementById("ow-agents");
      panel.parentNode.insertBefore(area, panel);
    }
    return area;
  }

  document.addEventListener("click", function (evt) {
    var b = bar();
    var button = evt.target.closest && evt.target.closest("#ow-selection button");
    if (!button || !b) { return; }
    if (button.classList.contains("ow-select-matching")) { matching = true; applyPicks(); return; }
    if (button.classList.contains("ow-select-none")) { picked = {}; matching = false; applyPicks(); return; }
    var action = button.getAttribute("data-ow-batch");
    if (!action) { return; }
    post(b.getAttribute("data-ow-preview"), selection(action)).then(function (resp) {
      return resp.text().then(function (html) { return {ok: resp.ok, html: html}; });
    }).then(function (answer) {
      var node = el("div", "ow-confirm-preview");
      node.innerHTML = answer.html;  // opsweb's own fragment, escaped by Jinja
      if (!answer.ok) {
        window.opswebConfirm(button, "", b, false, node);
        return;
      }
      var chosen = node.querySelector(".ow-preview-form");
      window.opswebConfirm(button, "", b, true, node).then(function (reason) {
        if (reason === null) { return; }
        var form = new FormData(chosen);
        form.append("reason", reason);
        post(b.getAttribute("data-ow-start"), form).then(function (resp) { return resp.text(); })
          .then(function (html) {
            var area = batchArea();
            area.insertAdjacentHTML("afterbegin", html);
            htmx.process(area.firstElementChild);
            picked = {}; matching = false; applyPicks();
            var shown = area.querySelector(".ow-batch-title");
            if (shown) { shown.setAttribute("tabindex", "-1"); shown.focus(); }
          });
      });
    });
  });
})();
