// Maths in weeks, labs and quizzes (issue 17, point 9): app/core/markdown.py leaves each formula as
// <span class="math math-inline|math-display">TeX</span>; KaTeX (vendored, loaded only when a page has maths)
// typesets them, now and in content that HTMX swaps in later. Without JS the TeX source stays readable.
(function () {
  "use strict";
  var BASE = "/static/vendor/katex-0.16.11/";
  var loading = null;

  function loadKatex() {
    if (window.katex) return Promise.resolve(window.katex);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = BASE + "katex.min.css";
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = BASE + "katex.min.js";
      script.onload = function () { resolve(window.katex); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function typeset(root) {
    var spans = (root || document).querySelectorAll ? (root || document).querySelectorAll("span.math:not([data-typeset])") : [];
    if (!spans.length) return;
    loadKatex().then(function (katex) {
      spans.forEach(function (span) {
        var tex = span.textContent;
        try {
          katex.render(tex, span, { displayMode: span.classList.contains("math-display"), throwOnError: false });
          span.setAttribute("data-typeset", "");
          span.setAttribute("data-tex", tex);
        } catch (err) { /* the TeX source stays on the page */ }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document); });
  } else {
    typeset(document);
  }
  document.addEventListener("htmx:load", function (event) { typeset(event.target); });
})();
