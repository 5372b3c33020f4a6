// The course's code editor: CodeMirror 6 with the pieces a Python course needs, bundled by
// scripts/build_editor.sh into static/vendor/codemirror-<version>.min.js as `window.LLMEditor`.
// static/editor.js mounts it over each <textarea data-editor="python"> (the textarea stays the no-JS fallback).
import {EditorState, Compartment} from "@codemirror/state";
import {EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
        highlightSpecialChars, rectangularSelection, crosshairCursor, dropCursor} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {indentOnInput, bracketMatching, foldGutter, foldKeymap, syntaxHighlighting, defaultHighlightStyle,
        indentUnit} from "@codemirror/language";
import {search, searchKeymap, highlightSelectionMatches} from "@codemirror/search";
import {closeBrackets, closeBracketsKeymap} from "@codemirror/autocomplete";
import {python} from "@codemirror/lang-python";
import {oneDark} from "@codemirror/theme-one-dark";

const lightTheme = EditorView.theme({
  "&": {backgroundColor: "var(--card, #fff)", color: "var(--fg, #1d1f23)"},
  ".cm-gutters": {backgroundColor: "var(--bg, #f7f7f9)", color: "#5c6370", borderRight: "1px solid var(--border, #dfe1e6)"},
  ".cm-activeLineGutter": {backgroundColor: "#e8ebf2"},
  ".cm-activeLine": {backgroundColor: "#f2f4f8"},
}, {dark: false});

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
        syntaxHighlighting(defaultHighlightStyle, {fallback: true}), bracketMatching(), closeBrackets(),
        rectangularSelection(), crosshairCursor(), highlightActiveLine(), highlightSelectionMatches(),
        search({top: true}), indentUnit.of("    "), EditorState.tabSize.of(4), python(),
        keymap.of([...submitKeys, ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
                   ...foldKeymap, indentWithTab]),
        theme.of(options.dark ? oneDark : lightTheme),
        EditorView.contentAttributes.of({"aria-label": options.label || "Code editor", "aria-multiline": "true"}),
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
    setDark: (dark) => view.dispatch({effects: theme.reconfigure(dark ? oneDark : lightTheme)}),
    focus: () => view.focus(),
  };
}

window.LLMEditor = {mount};
