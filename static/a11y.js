// Accessibility after HTMX swaps (issue 17, point 8).
// 1. Focus follows the user's action: when a click or submit swapped out the element that had focus (focus fell
//    to <body>), focus moves to the same control in the new content if it is there, else to the new content's
//    first heading (quiz "Start attempt"), else its first control (a ticked checklist row), else the region. Swaps nobody
//    asked for (polling, server-sent events) never move focus.
// 2. Field errors: a fragment with data-invalid-field="ID" (rendered next to that field, which names it in
//    aria-describedby) marks the field aria-invalid; the next successful save clears it.
(function () {
  "use strict";
  var lost = null;

  function userTriggered(detail) {
    var config = detail && detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    return !!(trigger && trigger.isTrusted && trigger.type !== "load" && trigger.type !== "revealed");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    lost = null;
    if (!target || target.id === "toasts" || !userTriggered(event.detail)) return;
    if (active && active !== document.body && (target === active || target.contains(active))) {
      lost = { id: active.id || null, target: target };
    } else if (!active || active === document.body) {
      lost = { id: null, target: target };
    }
  });

  function focusInto(region) {
    var heading = region.querySelector("h1, h2, h3, legend");
    var control = region.querySelector("button:not([disabled]), a[href], input:not([type=hidden]), select, textarea");
    var goal = heading || control || region;
    if (goal.tabIndex < 0 && !goal.hasAttribute("tabindex")) goal.setAttribute("tabindex", "-1");
    goal.focus({ preventScroll: false });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var invalid = detail.elt && detail.target && detail.target.querySelectorAll ? [detail.target] : [];
    invalid.forEach(function (root) {
      var marker = root.matches && root.matches("[id^=saved-]") ? root : null;
      var saved = marker || document.getElementById(root.id);
      if (!saved || !/^saved-/.test(saved.id || "")) return;
      var field = document.getElementById("a-" + saved.id.slice(6));
      if (!field) return;
      if (saved.hasAttribute("data-invalid-field")) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
    if (!lost) return;
    var was = lost;
    lost = null;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;  // focus survived the swap
    var again = was.id && document.getElementById(was.id);
    if (again && again.focus) { again.focus(); return; }
    var region = was.target && was.target.isConnected ? was.target : (was.target && was.target.id && document.getElementById(was.target.id));
    if (region) focusInto(region);
  });
})();
