/**
 * An exercise module that cannot be imported because this server lacks a Python package
 * (`import numpy` without Debian's python3-numpy): found in the module's traceback, and said in
 * words an author can act on, with the file and line of the import. Pure.
 */

/** What is missing, and where the course imports it. */
export interface MissingPackage {
  /** The top-level name the course imports (`numpy`, `sklearn`). */
  name: string;
  /** The Debian/Ubuntu package that provides it (`python3-numpy`). */
  debian: string;
  /** Course-relative file of the innermost import in the course (`modules/corrections/exo_x.py`). */
  file: string | undefined;
  line: number | undefined;
}

/** Import names whose Debian package is not simply `python3-<name>`. */
const DEBIAN_NAMES: Record<string, string> = {
  PIL: 'python3-pil',
  bs4: 'python3-bs4',
  cv2: 'python3-opencv',
  dateutil: 'python3-dateutil',
  mpl_toolkits: 'python3-matplotlib',
  skimage: 'python3-skimage',
  sklearn: 'python3-sklearn',
  yaml: 'python3-yaml',
};

/** The Debian/Ubuntu package that provides an import name (a guess beyond the usual ones). */
export function debianPackage(name: string): string {
  return DEBIAN_NAMES[name] ?? `python3-${name.toLowerCase().replace(/_/g, '-')}`;
}

const NOT_FOUND = /^(?:ModuleNotFoundError|ImportError): No module named '([^']+)'\s*$/gm;
const FRAME = /^\s*File "([^"]+)", line (\d+)/gm;

/**
 * The missing package a traceback ends with, or null when the failure is something else — in
 * particular a module of the course itself (`courseModule(name)` true), which is the author's
 * own import error, not a package to install. `courseRoots` are where the course's files appear
 * in the paths of the traceback (`/course` in the sandbox).
 */
export function missingPackage(
  traceback: string,
  courseRoots: readonly string[],
  courseModule: (name: string) => boolean,
): MissingPackage | null {
  const missing = [...traceback.matchAll(NOT_FOUND)].at(-1)?.[1];
  // `import a.b` without `a` names `a`: a dotted name means its package is there.
  if (!missing || missing.includes('.') || courseModule(missing)) return null;
  let file: string | undefined;
  let line: number | undefined;
  for (const [, path, number] of traceback.matchAll(FRAME)) {
    const root = courseRoots.find((r) => path!.startsWith(`${r}/`));
    if (root === undefined) continue;
    file = path!.slice(root.length + 1);
    line = Number(number);
  }
  return { name: missing, debian: debianPackage(missing), file, line };
}

/** "modules/corrections/exo_x.py (line 3) needs the Python package 'numpy', which this server does not have (install …)". */
export function describeMissingPackage(missing: MissingPackage, module: string): string {
  const where = missing.file ? `${missing.file}${missing.line ? ` (line ${missing.line})` : ''}` : module;
  return (
    `${where} needs the Python package '${missing.name}', which this server does not have ` +
    `(install ${missing.debian}: apt-get install ${missing.debian})`
  );
}

/** Whether an import name is one of the course's own modules (its `modules/` folder is on sys.path). */
export function isCourseModule(paths: Iterable<string>, name: string): boolean {
  for (const path of paths) if (path === `modules/${name}.py` || path.startsWith(`modules/${name}/`)) return true;
  return false;
}
