// Review page keyboard shortcuts (documented on the page, #review-shortcuts): j/n next submission,
// k/p previous, r focus the rubric, o focus the override score, Ctrl/Cmd+S save (apply the rubric, or
// submit the form being typed in), ? toggle the list. Letter keys are ignored while typing in a field.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function go(id) {
    var link = document.getElementById(id);
    if (link && link.href) window.location.assign(link.href);
  }

  function focusFirst(selector) {
    var el = document.querySelector(selector);
    if (el) {
      el.focus();
      if (el.scrollIntoView) el.scrollIntoView({ block: "center" });
    }
    return el;
  }

  function save(target) {
    var form = target && target.closest ? target.closest("form") : null;
    if (!form || !document.getElementById("review-grading") || !document.getElementById("review-grading").contains(form)) {
      form = document.querySelector("#review-grading form.rubric-form");
    }
    if (form) {
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("review-shortcuts")) return;
    var key = event.key;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "s" || key === "S")) {
      event.preventDefault();
      save(event.target);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (key === "j" || key === "n") {
      go("next-submission");
    } else if (key === "k" || key === "p") {
      go("prev-submission");
    } else if (key === "r") {
      event.preventDefault();
      focusFirst("#review-grading .rubric-form input[name=item]");
    } else if (key === "o") {
      event.preventDefault();
      focusFirst("#override-score");
    } else if (key === "?") {
      var help = document.getElementById("review-shortcuts");
      help.open = !help.open;
      if (help.open) help.querySelector("summary").focus();
    }
  });
})();
