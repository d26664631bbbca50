/** The course's Python modules folder: on `sys.path`, sent to the browser as one archive. */
export const MODULES_FOLDER = 'modules/';

/** Top-level Python module names of a version's `modules/` folder (files and packages). */
export function moduleNames(paths: readonly string[]): string[] {
  const names = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(MODULES_FOLDER)) continue;
    const rest = path.slice(MODULES_FOLDER.length);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest.replace(/\.py$/, '') : rest.slice(0, slash);
    if ((slash !== -1 || rest.endsWith('.py')) && /^[A-Za-z_]\w*$/.test(name)) names.add(name);
  }
  return [...names].sort();
}
