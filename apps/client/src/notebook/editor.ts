import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, keymap, lineNumbers } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';

export interface EditorOptions {
  doc: string;
  /** Screen-reader name of the editor ("Code of cell 3"). */
  label: string;
  /** Ctrl-Enter (Cmd-Enter): run in place. */
  onRun(): void;
  /** Shift-Enter: run and go to the next cell. */
  onRunAndNext(): void;
  /** Escape: leave the editor (focus goes back to the cell). */
  onEscape(): void;
  onChange(doc: string): void;
}

/**
 * A code cell's editor: CodeMirror 6 with Python highlighting (the same `tok-*` classes as the
 * read-only code), indentation, bracket matching, undo history, and Jupyter's keys.
 */
export function createEditor(parent: HTMLElement, options: EditorOptions): EditorView {
  const run = (action: () => void) => () => {
    action();
    return true;
  };
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        indentUnit.of('    '),
        EditorState.tabSize.of(4),
        bracketMatching(),
        python(),
        syntaxHighlighting(classHighlighter),
        keymap.of([
          { key: 'Shift-Enter', run: run(options.onRunAndNext) },
          { key: 'Mod-Enter', run: run(options.onRun) },
          { key: 'Escape', run: run(options.onEscape) },
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ 'aria-label': options.label, spellcheck: 'false', autocapitalize: 'off' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
}
