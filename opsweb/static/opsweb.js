// The few things htmx cannot do from attributes: open the log dialog when its content
// arrives and give focus back to the opener when it closes, keep following the bottom
// of the log unless the operator scrolled up, pair a tool result that arrived in a
// later poll with its call, and show opsweb's error fragments (htmx leaves 4xx/5xx
// answers unswapped by default). Scoped to opsweb's own elements.
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

  function pairToolResults(log) {
    log.querySelectorAll(".ow-call-running").forEach(function (state) {
      var call = state.closest(".ow-entry-tool_call");
      var id = call.getAttribute("data-tool-use-id");
      var result = log.querySelector('.ow-entry-tool_result[data-tool-use-id="' +
                                     CSS.escape(id) + '"]');
      if (!result) { return; }
      var now = result.classList.contains("ow-entry-error") ? "errored" : "completed";
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
    if (target && target.id === "ow-log-entries") { pairToolResults(target); }
    if (target && target.id === "ow-log-dialog") {
      if (!target.open) { target.showModal(); }
      var entries = document.getElementById("ow-log-entries");
      if (entries) { entries.scrollTop = entries.scrollHeight; }
      stick = true;
    } else if (target && target.id === "ow-log-entries" && stick) {
      target.scrollTop = target.scrollHeight;
    }
  });
})();
