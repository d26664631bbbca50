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
  'stage.download': string;
  'stage.interpreter': string;
  'stage.files': string;
  'stage.kernel': string;
}
