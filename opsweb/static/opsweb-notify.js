// A background tab tells the operator: the open-incident count in the page's title
// ("(3) Operations") and a dot on its favicon, kept from the X-Opsweb-Open-Incidents
// header of each panel poll's answer (no request of its own). A browser that opted in
// with the Notifications button (the browser asks on that press, never on load) also
// gets a notification when the count goes up while the page is open.
(function () {
  "use strict";
  var HEADER = "X-Opsweb-Open-Incidents";
  var KEY = "opsweb-notify";  // "1": this browser opted in
  var DOT = "data:image/svg+xml," + encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
    '<circle cx="8" cy="8" r="6" fill="#d1242f"/></svg>');
  var known = null;  // the count last shown; null before the first

  function stored(value) {
    try {
      if (value !== undefined) { window.localStorage.setItem(KEY, value); }
      return window.localStorage.getItem(KEY) === "1";
    } catch (e) {  // storage refused (private mode): no opt-in survives a reload
      return false;
    }
  }

  function supported() { return "Notification" in window; }

  function optedIn() { return supported() && Notification.permission === "granted" && stored(); }

  function icon(open) {
    var link = document.querySelector('link[rel~="icon"]');
    if (!link) {  // a host page without an icon of its own
      link = document.createElement("link");
      link.rel = "icon";
      link.href = "data:,";
      document.head.appendChild(link);
    }
    if (!link.hasAttribute("data-ow-plain")) { link.setAttribute("data-ow-plain", link.href); }
    var href = open ? DOT : link.getAttribute("data-ow-plain");
    if (link.href !== href) { link.href = href; }
  }

  function notify(count) {
    if (!optedIn()) { return; }
    var button = document.getElementById("ow-notify-browser");  // its words are the page's language
    var title = button ? button.getAttribute("data-title") : "An incident opened";
    var body = button ? button.getAttribute("data-body") : "Open incidents: {n}";
    new Notification(title, {body: body.replace("{n}", String(count)), tag: "opsweb-incidents"});
  }

  function show(count) {
    if (isNaN(count) || count < 0) { return; }
    document.title = (count ? "(" + count + ") " : "") + document.title.replace(/^\(\d+\) /, "");
    icon(count > 0);
    if (known !== null && count > known) { notify(count); }
    known = count;
  }

  function syncButton() {
    var button = document.getElementById("ow-notify-browser");
    if (!button) { return; }
    button.hidden = !supported();
    if (!supported()) { return; }
    var state = Notification.permission === "denied" ? "blocked" : optedIn() ? "on" : "off";
    button.textContent = button.getAttribute("data-" + state);
    button.disabled = state === "blocked";
    button.setAttribute("aria-pressed", state === "on" ? "true" : "false");
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("#ow-notify-browser");
    if (!button || !supported()) { return; }
    if (optedIn()) {  // a second press turns them off again
      stored("0");
      syncButton();
      return;
    }
    Notification.requestPermission().then(function (answer) {
      stored(answer === "granted" ? "1" : "0");
      syncButton();
    });
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var xhr = evt.detail.xhr;
    var value = xhr && xhr.getResponseHeader(HEADER);
    if (value) { show(parseInt(value, 10)); }
  });
  document.addEventListener("htmx:afterSettle", syncButton);
  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector("[data-ow-open-incidents]");  // the standalone page
    var value = page && page.getAttribute("data-ow-open-incidents");
    if (value) { show(parseInt(value, 10)); }
    syncButton();
  });
})();
