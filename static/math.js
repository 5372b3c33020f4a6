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
    spans.forEach(function (span) {  // claimed now, so that a second call (htmx:load at start) skips them
      span.setAttribute("data-tex", span.textContent);
      span.setAttribute("data-typeset", "");
    });
    loadKatex().then(function (katex) {
      spans.forEach(function (span) {
        try {
          katex.render(span.getAttribute("data-tex"), span,
                       { displayMode: span.classList.contains("math-display"), throwOnError: false });
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
