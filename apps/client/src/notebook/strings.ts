/**
 * The notebook page's UI strings, in the reader's language: the server fills them from its
 * catalogue (keys `runtime.ui.*`) into the page's runtime configuration.
 */
export interface UiStrings {
  toolbar: string;
  runAll: string;
  runAbove: string;
  interrupt: string;
  restart: string;
  restartRunAll: string;
  run: string;
  runHint: string;
  reset: string;
  editor: string;
  output: string;
  showMore: string;
  inputLabel: string;
  loading: string;
  ready: string;
  busy: string;
  interrupting: string;
  dead: string;
  failed: string;
  restarted: string;
  interruptRestarted: string;
  stuckRestarted: string;
  packages: string;
  keys: string;
  saveSaved: string;
  saveSaving: string;
  saveOffline: string;
  saveConflict: string;
  saveError: string;
  saveLogin: string;
  conflict: string;
  keepMine: string;
  takeTheirs: string;
  courseChanged: string;
  showNewOriginal: string;
  useNewOriginal: string;
  resetAll: string;
  undoReset: string;
  downloadIpynb: string;
  downloadMyst: string;
  markDone: string;
  unmarkDone: string;
  markedDone: string;
  showSolution: string;
  history: string;
  solutionVariant: string;
  gradeChecking: string;
  gradeVerified: string;
  gradeVerifiedKo: string;
  gradeDiffers: string;
  gradeUnverified: string;
  gradeLogin: string;
  gradeVerifiedHidden: string;
  gradeVerifiedKoHidden: string;
  gradeHiddenWrong: string;
  gradeHiddenError: string;
  gradeRowWrong: string;
  gradeServerRows: string;
  'gradeReason.bad-report': string;
  'gradeReason.timeout': string;
  'gradeReason.memory': string;
  'gradeReason.output-limit': string;
  'gradeReason.crashed': string;
  'gradeReason.no-correction': string;
  'gradeReason.sandbox-unavailable': string;
  'gradeReason.not-sealed': string;
  'gradeReason.judge-failed': string;
  'gradeReason.network': string;
  'gradeReason.too-many': string;
  'gradeReason.busy': string;
  'stage.download': string;
  'stage.interpreter': string;
  'stage.files': string;
  'stage.kernel': string;
}

/** Fills `{name}` placeholders of a UI string. */
export const format = (text: string, values: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
