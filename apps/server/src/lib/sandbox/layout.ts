import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { BOOTSTRAP, bootstrapArgs, type BootstrapConfig } from './bootstrap.ts';
import type { SandboxJob, SandboxLimits } from './sandbox.ts';

/** A job's course folder on the host, and how to remove it when it was made for the job. */
export interface HostCourse {
  dir: string | undefined;
  cleanup(): void;
}

/** Rejects absolute paths and `..`: every path of a job stays inside its root. */
export function safeRelative(path: string, what: string): string {
  const normal = normalize(path).replace(/\/+$/, '');
  if (path === '' || isAbsolute(path) || normal === '..' || normal.startsWith(`..${sep}`) || normal === '.') {
    throw new SandboxLayoutError(`${what} must be a relative path inside the course: ${JSON.stringify(path)}`);
  }
  return normal;
}

export class SandboxLayoutError extends Error {
  override name = 'SandboxLayoutError';
}

/**
 * The course files of a job as a host folder: the given one, or a private temporary copy of a
 * map (owned by `owner` when the sandbox runs as another user).
 */
export function hostCourse(job: SandboxJob, owner?: { uid: number; gid: number }): HostCourse {
  const files = job.files;
  if (!files) return { dir: undefined, cleanup: () => {} };
  if ('dir' in files) {
    if (!existsSync(files.dir) || !statSync(files.dir).isDirectory()) {
      throw new SandboxLayoutError(`the course folder does not exist: ${files.dir}`);
    }
    return { dir: files.dir, cleanup: () => {} };
  }
  const root = mkdtempSync(join(tmpdir(), 'carnet-sandbox-'));
  try {
    writeCourseFiles(root, files.map);
    if (owner) chownTree(root, owner);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return { dir: root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

let courseRoot: string | null = null;

/**
 * A world-readable temporary folder, once per process, holding course folders laid out for jobs
 * (a version's files for grading, an import's files for sealing): the fork-server binds it
 * read-only and shows each job only its own subfolder (ADR 027).
 */
export function sandboxCourseRoot(): string {
  if (!courseRoot || !existsSync(courseRoot)) {
    courseRoot = mkdtempSync(join(tmpdir(), 'carnet-courses-'));
    chmodSync(courseRoot, 0o755);
  }
  return courseRoot;
}

/** Writes course files (relative paths, checked) under `root`, readable by any user. */
export function writeCourseFiles(root: string, files: ReadonlyMap<string, Uint8Array | string>): void {
  for (const [path, contents] of files) {
    const target = join(root, safeRelative(path, 'a course file'));
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, contents, { mode: 0o644 });
  }
}

function chownTree(root: string, owner: { uid: number; gid: number }): void {
  chownSync(root, owner.uid, owner.gid);
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    chownSync(join(root, entry), owner.uid, owner.gid);
  }
}

/** The bootstrap's configuration and the `python -I -S -c …` arguments for a job. */
export function pythonArgs(
  job: SandboxJob,
  limits: SandboxLimits,
  paths: { course: string; cwd: string; libraries: string[]; sitePackages: string[]; programFile: string },
): string[] {
  const program = job.program;
  const file = 'code' in program ? paths.programFile : join(paths.course, safeRelative(program.path, 'the program'));
  const filename = 'code' in program ? (program.filename ?? '<submission>') : program.path;
  const config: BootstrapConfig = {
    rlimits: [
      ['CPU', limits.cpuSeconds],
      ['AS', limits.memoryBytes],
      ['FSIZE', limits.fileBytes],
      ['NOFILE', limits.openFiles],
      ['NPROC', limits.processes],
    ],
    cwd: paths.cwd,
    path: [
      paths.cwd,
      ...(job.pythonPath ?? []).map((p) => join(paths.course, safeRelative(p, 'a sys.path entry'))),
      ...paths.libraries,
    ],
    sitePackages: paths.sitePackages,
    file,
    filename,
    argv: [...(job.argv ?? [])],
  };
  return ['-I', '-S', '-c', BOOTSTRAP, ...bootstrapArgs(config)];
}

/** Validated link names → course-relative folders. */
export function jobLinks(job: SandboxJob): [string, string][] {
  return Object.entries(job.links ?? {}).map(([name, target]) => {
    if (!/^[^/\0]+$/.test(name) || name === '.' || name === '..') {
      throw new SandboxLayoutError(`a link name must be one path segment: ${JSON.stringify(name)}`);
    }
    return [name, safeRelative(target, 'a link target')];
  });
}
