import type { CourseModel, Diagnostic } from '@carnet/course-format';
import { formatDiagnostic } from '@carnet/course-format';

/** What an import did, for people (`formatSummary`) and scripts (`--json`). */
export interface ImportSummary {
  status: 'imported' | 'unchanged' | 'restored' | 'checked' | 'failed';
  slug: string;
  title: string;
  source: string;
  commit: string | null;
  hash: string;
  tag: string;
  versionId?: number;
  counts: {
    notebooks: number;
    exerciseNotebooks: number;
    exercises: number;
    quizzes: number;
    /** Video pages, and the videos they show (declared or not). */
    videos: number;
    videoFiles: number;
    problems: number;
    questions: number;
    files: number;
    bytes: number;
    tracks: number;
  };
  errors: Diagnostic[];
  warnings: Diagnostic[];
  ignored: { path: string; reason: string }[];
  /**
   * Each exercise module (sealed, failed, unsandboxed: ADR 024) and its exercises: how learners
   * practise them (`local`, `server`, `none`) and how many checks the browser never sees (ADR 034).
   */
  exerciseSeals?: {
    module: string;
    status: string;
    reason: string | null;
    /** Names the course hands out from the module, as their source alone (notebooks import them). */
    helpers?: string[];
    exercises?: { attribute: string; mode: string; hiddenChecks: number; random: boolean; reason: string | null }[];
  }[];
  durationMs: number;
}

/** Counts and sorts what the importer found. */
export function summarise(
  course: CourseModel,
  diagnostics: Diagnostic[],
  base: Pick<ImportSummary, 'slug' | 'source' | 'commit' | 'hash' | 'tag'>,
): Omit<ImportSummary, 'status' | 'durationMs'> {
  const notebooks = course.items.filter((i) => i.type === 'notebook');
  const quizzes = course.items.flatMap((i) => (i.type === 'quiz' ? [i.quiz] : []));
  const videoPages = course.items.filter((i) => i.type === 'video');
  const exercises = new Set(notebooks.flatMap((n) => n.exercises.map((e) => `${e.module}.${e.name}`)));
  return {
    ...base,
    title: course.meta.title,
    counts: {
      notebooks: notebooks.length,
      exerciseNotebooks: notebooks.filter((n) => n.kind === 'exercise').length,
      exercises: exercises.size,
      quizzes: quizzes.length,
      videos: videoPages.length,
      videoFiles: videoPages.reduce((n, v) => n + v.videos.length, 0),
      problems: quizzes.reduce((n, q) => n + q.problems.length, 0),
      questions: quizzes.reduce(
        (n, q) => n + q.problems.reduce((m, p) => m + p.blocks.filter((b) => b.type === 'question').length, 0),
        0,
      ),
      files: course.files.length,
      bytes: course.files.reduce((n, f) => n + f.size, 0),
      tracks: course.tracks.length,
    },
    errors: diagnostics.filter((d) => d.severity === 'error'),
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
    ignored: course.ignored,
  };
}

const STATUS: Record<ImportSummary['status'], string> = {
  imported: 'imported: this version is now live',
  unchanged: 'unchanged: this content is already the live version',
  restored: 'restored: this content was imported before and is live again',
  checked: 'checked: no errors (nothing was written)',
  failed: 'FAILED: nothing was written; the previous version stays live',
};

/** The human-readable summary `carnet import` prints. */
export function formatSummary(s: ImportSummary): string {
  const c = s.counts;
  const mb = (c.bytes / 1048576).toFixed(1);
  const lines = [
    `Course ${s.slug} — ${s.title}`,
    `  source     ${s.source}${s.commit ? ` @ ${s.commit.slice(0, 12)}` : ''}`,
    `  version    ${s.tag}`,
    `  status     ${STATUS[s.status]}`,
    `  notebooks  ${c.notebooks} (${c.exerciseNotebooks} exercise notebooks using ${c.exercises} exercises)`,
    `  quizzes    ${c.quizzes} files, ${c.problems} problems, ${c.questions} questions`,
    `  videos     ${c.videos ?? 0} video pages, ${c.videoFiles ?? 0} videos`,
    `  files      ${c.files} (${mb} MB)`,
    `  warnings   ${s.warnings.length}`,
    `  errors     ${s.errors.length}`,
    `  time       ${s.durationMs} ms`,
  ];
  if (s.errors.length > 0) lines.push('', 'Errors:', ...s.errors.map((d) => `  ${formatDiagnostic(d)}`));
  if (s.warnings.length > 0) lines.push('', 'Warnings:', ...s.warnings.map((d) => `  ${formatDiagnostic(d)}`));
  if (s.ignored.length > 0)
    lines.push('', `Ignored (${s.ignored.length}):`, ...s.ignored.map((i) => `  ${i.path} (${i.reason})`));
  if (s.exerciseSeals && s.exerciseSeals.length > 0) {
    lines.push('', 'Exercise modules:');
    for (const e of s.exerciseSeals) {
      lines.push(
        `  ${e.module.padEnd(32)} ${e.status}${e.status === 'unsandboxed' && e.reason ? ` (${e.reason})` : ''}`,
      );
      if (e.helpers && e.helpers.length > 0)
        lines.push(`    hands out the source of ${e.helpers.join(', ')} (never the module itself)`);
      for (const x of e.exercises ?? []) {
        const how = { local: 'checked in the browser', server: 'checked by the server', none: 'cannot be checked' }[
          x.mode
        ];
        const hidden = x.random
          ? 'a new draw of its datasets at each verification'
          : `${x.hiddenChecks} hidden check${x.hiddenChecks === 1 ? '' : 's'}`;
        lines.push(`    ${x.attribute.padEnd(30)} ${how ?? x.mode}; ${hidden}`);
      }
    }
  }
  return lines.join('\n');
}
