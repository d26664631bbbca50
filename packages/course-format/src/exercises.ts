import type { Notebook } from './notebook/model.ts';

/** An exercise object a notebook imports from the course's `corrections` package. */
export interface ExerciseUse {
  /** Python module, e.g. `corrections.exo_label`. */
  module: string;
  /** The name imported from it, e.g. `exo_label`. */
  name: string;
  /** Whether the notebook calls `<name>.correction(…)` (an auto-evaluated exercise) or only `example()`. */
  corrected: boolean;
  /** 1-based line of the cell that imports it. */
  line: number;
}

const FROM_IMPORT = /^[ \t]*from[ \t]+(corrections(?:\.[A-Za-z_]\w*)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)/gm;

const IDENTIFIER = /^[A-Za-z_]\w*$/;

/**
 * Finds the exercises a notebook uses: names imported from `corrections.*` modules, and whether
 * `.correction(` is called on them. A notebook that calls `correction` is an exercise notebook,
 * whatever its file name.
 */
export function findExerciseUses(notebook: Notebook): ExerciseUse[] {
  const uses: ExerciseUse[] = [];
  const code = notebook.cells.filter((c) => c.type === 'code');
  const allCode = code.map((c) => c.source).join('\n');
  for (const cell of code) {
    for (const m of cell.source.matchAll(FROM_IMPORT)) {
      // A parenthesised list may span lines and hold comments.
      for (const item of m[2]!
        .replace(/#[^\n]*/g, '')
        .replace(/[()\n]/g, ' ')
        .split(',')) {
        const parts = item.trim().split(/\s+as\s+/);
        const name = parts[0]?.trim();
        // `from m import exo as e`: the module defines exo; the notebook calls e.correction(…).
        const local = parts[1]?.trim() || name;
        if (!name || !local || !IDENTIFIER.test(name) || !IDENTIFIER.test(local)) continue;
        const corrected = new RegExp(`\\b${local}\\s*\\.\\s*correction\\s*\\(`).test(allCode);
        uses.push({ module: m[1]!, name, corrected, line: cell.line });
      }
    }
  }
  return uses;
}

/** An exercise object defined at the top level of a `corrections` module. */
export interface ExerciseDefinition {
  module: string;
  name: string;
  /** The class it is built with: ExerciseFunction, ExerciseClass, or a course subclass. */
  className: string;
  line: number;
}

/**
 * Lists the exercise objects a `corrections` module defines (`exo_x = ExerciseFunction(…)` or a
 * subclass defined in the module). A static reading: running the module is the sandbox's job.
 */
export function findExerciseDefinitions(module: string, source: string): ExerciseDefinition[] {
  const exerciseClasses = new Set([
    'ExerciseFunction',
    'ExerciseFunctionNumpy',
    'ExerciseGenerator',
    'ExerciseRegexp',
    'ExerciseRegexpGroups',
    'ExerciseClass',
  ]);
  for (const m of source.matchAll(/^class[ \t]+([A-Za-z_]\w*)[ \t]*\(([^)]*)\)/gm)) {
    if (m[2]!.split(',').some((base) => exerciseClasses.has(base.trim().split('.').pop()!))) exerciseClasses.add(m[1]!);
  }
  const found: ExerciseDefinition[] = [];
  for (const m of source.matchAll(/^([A-Za-z_]\w*)[ \t]*=[ \t]*(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)[ \t]*\(/gm)) {
    if (exerciseClasses.has(m[2]!)) {
      found.push({ module, name: m[1]!, className: m[2]!, line: source.slice(0, m.index).split('\n').length });
    }
  }
  return found;
}

/**
 * The names a Python module defines at its top level (`def`, `class`, assignments, imports): what
 * `from module import name` can find. A static reading, like findExerciseDefinitions.
 */
export function findTopLevelNames(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)/gm)) names.add(m[1]!);
  for (const m of source.matchAll(/^([A-Za-z_][\w \t,]*?)[ \t]*(?::[^=\n]*)?=(?!=)/gm))
    for (const name of m[1]!.split(',')) if (IDENTIFIER.test(name.trim())) names.add(name.trim());
  for (const m of source.matchAll(/^(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+(\([^)]*\)|[^\n#;]+)/gm)) {
    for (const item of m[1]!.replace(/[()\n]/g, ' ').split(',')) {
      const parts = item.trim().split(/\s+as\s+/);
      const name = (parts[1] ?? parts[0] ?? '').trim().split('.')[0]!;
      if (IDENTIFIER.test(name)) names.add(name);
    }
  }
  return [...names].sort();
}
