// The course's code editor: CodeMirror 6 with the pieces a Python course needs, bundled by
// scripts/build_editor.sh into static/vendor/codemirror-<version>.min.js as `window.LLMEditor`.
// static/editor.js mounts it over each <textarea data-editor="python"> (the textarea stays the no-JS fallback).
import {EditorState, Compartment} from "@codemirror/state";
import {EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
        highlightSpecialChars, rectangularSelection, crosshairCursor, dropCursor} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {indentOnInput, bracketMatching, foldGutter, foldKeymap, syntaxHighlighting, defaultHighlightStyle,
        indentUnit, HighlightStyle} from "@codemirror/language";
import {tags as t} from "@lezer/highlight";
import {search, searchKeymap, highlightSelectionMatches} from "@codemirror/search";
import {closeBrackets, closeBracketsKeymap} from "@codemirror/autocomplete";
import {python} from "@codemirror/lang-python";
import {oneDarkTheme} from "@codemirror/theme-one-dark";

const lightTheme = EditorView.theme({
  "&": {backgroundColor: "var(--card, #fff)", color: "var(--fg, #1d1f23)"},
  ".cm-gutters": {backgroundColor: "var(--bg, #f7f7f9)", color: "#5c6370", borderRight: "1px solid var(--border, #dfe1e6)"},
  ".cm-activeLineGutter": {backgroundColor: "#e8ebf2"},
  ".cm-activeLine": {backgroundColor: "#f2f4f8"},
}, {dark: false});

// Token colours with at least 4.5:1 contrast on the editor's background and active line (WCAG AA, checked by the
// axe-core browser test), in the palette of the week pages' highlighted code (static/app.css).
function tokenStyle(c) {
  return HighlightStyle.define([
    {tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword, t.definitionKeyword, t.self], color: c.kw},
    {tag: [t.string, t.special(t.string), t.docString, t.character], color: c.str},
    {tag: [t.comment, t.lineComment, t.blockComment], color: c.com, fontStyle: "italic"},
    {tag: [t.number, t.integer, t.float, t.regexp, t.escape], color: c.num},
    {tag: [t.function(t.variableName), t.function(t.definition(t.variableName)), t.definition(t.className),
           t.className], color: c.fn},
    {tag: [t.standard(t.variableName), t.typeName, t.namespace, t.bool, t.null, t.atom], color: c.bi},
    {tag: [t.meta, t.annotation], color: c.com},
    {tag: t.invalid, color: c.err},
  ]);
}
const lightTokens = tokenStyle({kw: "#8b2fa0", str: "#2f6b12", com: "#5c6370", num: "#9a4a00", fn: "#1d56b3",
                                bi: "#0a6670", err: "#b02525"});
const darkTokens = tokenStyle({kw: "#d7a6f5", str: "#a6d98a", com: "#a3abb6", num: "#f5b37a", fn: "#8fbcff",
                               bi: "#6fd3df", err: "#ff9b9b"});
const darkGutter = EditorView.theme({".cm-gutters": {color: "#a3abb6"}}, {dark: true});
const light = [lightTheme, syntaxHighlighting(lightTokens)];
const dark = [oneDarkTheme, darkGutter, syntaxHighlighting(darkTokens)];

/** Mount an editor over `textarea`. Options: onChange(text), onSubmit(), label (accessible name), dark(bool). */
function mount(textarea, options = {}) {
  const theme = new Compartment();
  const submitKeys = [{key: "Mod-Enter", preventDefault: true,
                       run: () => { if (options.onSubmit) options.onSubmit(); return true; }}];
  const view = new EditorView({
    parent: textarea.parentNode,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(),
        drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(),
        bracketMatching(), closeBrackets(),
        rectangularSelection(), crosshairCursor(), highlightActiveLine(), highlightSelectionMatches(),
        search({top: true}), indentUnit.of("    "), EditorState.tabSize.of(4), python(),
        keymap.of([...submitKeys, ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
                   ...foldKeymap, indentWithTab]),
        theme.of(options.dark ? dark : light),
        EditorView.contentAttributes.of({"aria-label": options.label || "Code editor", "aria-multiline": "true",
                                         "tabindex": "0"}),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            textarea.value = update.state.doc.toString();
            if (options.onChange) options.onChange(textarea.value);
          }
        }),
      ],
    }),
  });
  textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}}),
    setDark: (wanted) => view.dispatch({effects: theme.reconfigure(wanted ? dark : light)}),
    focus: () => view.focus(),
  };
}

window.LLMEditor = {mount};
