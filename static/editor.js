// Mounts the vendored CodeMirror editor (static/vendor/codemirror-*.min.js, built by scripts/build_editor.sh)
// over every <textarea data-editor="python">. The textarea stays in the form (and is what a browser without
// JavaScript shows); the editor writes every change back into it.
//   Lab page: drafts autosave to the server (data-draft-url), Ctrl/Cmd+Enter submits, "Reset to starter"
//   asks first. Quiz code questions: a change is saved like any other answer (the fieldset's hx-trigger).
// Keyboard users leave the editor with Esc then Tab (Tab alone indents).
(function () {
  var editors = [];

  function darkWanted() {
    var theme = document.documentElement.dataset.theme;
    if (theme === "dark") return true;
    if (theme === "light") return false;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function debounce(fn, ms) {
    var timer = null;
    var wrapped = function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
    wrapped.flush = function () { if (timer) { clearTimeout(timer); timer = null; fn(); } };
    return wrapped;
  }

  function saveDraft(textarea, url) {
    var status = document.getElementById("draft-status");
    var body = new FormData();
    body.append("code", textarea.value);
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"HX-Request": "true", "X-CSRF-Token": csrfToken()}})
      .then(function (response) {
        if (!status) return;
        if (response.ok) { response.text().then(function (html) { status.outerHTML = html; }); }
        else { response.text().then(function () { status.textContent = "Draft not saved (" + response.status + ")"; }); }
      })
      .catch(function () { if (status) status.textContent = "Draft not saved (offline?)"; });
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  function mountOne(textarea) {
    if (!window.LLMEditor || textarea.dataset.editorMounted) return;
    textarea.dataset.editorMounted = "1";
    var form = textarea.form;
    var draftUrl = textarea.dataset.draftUrl;
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var save = draftUrl ? debounce(function () { saveDraft(textarea, draftUrl); }, 800) : null;
    var changed = debounce(function () { textarea.dispatchEvent(new Event("change", {bubbles: true})); }, 600);
    var editor = window.LLMEditor.mount(textarea, {
      dark: darkWanted(),
      label: label ? label.textContent.trim() : "Code editor",
      onChange: function () { if (save) save(); else changed(); },
      onSubmit: function () {
        if (save) save.flush(); else changed.flush();
        if (form && textarea.dataset.submitOnModEnter !== undefined) form.requestSubmit();
      },
    });
    editor.view.dom.classList.add("code-editor");
    var described = textarea.getAttribute("aria-describedby");
    if (described) editor.view.contentDOM.setAttribute("aria-describedby", described);
    editor.view.dom.dataset.for = textarea.id;
    textarea.hidden = true;
    if (label) label.addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
    editor.textarea = textarea;
    editor.save = save;
    editors.push(editor);

    var saveButton = form && form.querySelector("[data-save-draft]");
    if (saveButton && draftUrl) {
      saveButton.addEventListener("click", function (event) {
        event.preventDefault();
        saveDraft(textarea, draftUrl);
      });
    }
    var reset = form && form.querySelector("[data-reset-starter]");
    var starter = document.getElementById(textarea.dataset.starter || "");
    if (reset && starter) {
      reset.addEventListener("click", function (event) {
        event.preventDefault();
        if (!window.confirm("Replace your code with the starter file? Your current draft is lost (earlier attempts are kept).")) return;
        editor.setValue(starter.content ? starter.content.textContent : starter.textContent);
        if (save) save.flush();
        editor.focus();
      });
    }
  }

  function mountAll(root) { (root || document).querySelectorAll('textarea[data-editor="python"]').forEach(mountOne); }

  function retheme() {
    var dark = darkWanted();
    editors.forEach(function (editor) { editor.setDark(dark); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    mountAll(document);
    if (window.htmx) htmx.onLoad(function (elt) { mountAll(elt); });
    if (window.matchMedia) window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", retheme);
    new MutationObserver(retheme).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});
  });
  // Leaving the page: send a pending draft now rather than lose the last keystrokes.
  window.addEventListener("pagehide", function () { editors.forEach(function (e) { if (e.save) e.save.flush(); }); });
  window.LLMEditors = editors;
})();
