import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '@carnet/course-format';
import type { Db } from '../../db/database.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { importCourse, ImportError } from '../import/import-course.ts';
import type { ImportSummary } from '../import/summary.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { selectOptionalOwnedCourseSlug } from '../../models/teacher-notebooks.ts';
import { readZip, ZipError } from './unzip.ts';

/** Largest notebook file accepted. */
export const NOTEBOOK_MAX_BYTES = 5 * 1024 * 1024;
/** Largest modules archive accepted, and what it may hold once inflated. */
export const MODULES_ZIP_MAX_BYTES = 20 * 1024 * 1024;
export const MODULES_MAX_BYTES = 50 * 1024 * 1024;
export const MODULES_MAX_ENTRIES = 500;

/** Where the uploaded notebook sits in the course folder made for it: one week, one sequence. */
const NOTEBOOK_STEM = 'w1/w1-s1-c1-notebook';

export interface NotebookUpload {
  notebook: { filename: string; data: Buffer } | null;
  modules: { filename: string; data: Buffer } | null;
}

/** A problem with one field of the form, said in the reader's language. */
export interface FieldProblem {
  field: 'notebook' | 'modules';
  key: MessageKey;
  params?: Record<string, string | number>;
}

export type UploadOutcome =
  | { status: 'refused'; problem: FieldProblem }
  /** The import's errors, each with the uploaded file's name, its line and what is wrong. */
  | { status: 'failed'; errors: Diagnostic[] }
  | { status: 'imported' | 'unchanged'; notebookId: number; versionId: number; warnings: Diagnostic[] };

export interface UploadServices {
  db: Db;
  dataDir: string;
  sandbox: Sandbox | undefined;
  sandboxProblem: string | undefined;
}

const ZIP_MESSAGES: Record<ZipError['problem'], MessageKey> = {
  'not-zip': 'notebooks.error.zipInvalid',
  corrupt: 'notebooks.error.zipInvalid',
  unsupported: 'notebooks.error.zipInvalid',
  encrypted: 'notebooks.error.zipInvalid',
  duplicate: 'notebooks.error.zipInvalid',
  'too-many-entries': 'notebooks.error.zipEntries',
  'too-large': 'notebooks.error.zipInflated',
  'unsafe-path': 'notebooks.error.zipPath',
  symlink: 'notebooks.error.zipPath',
};

/** Files of a modules archive kept out of the course, made by archivers, not by authors. */
const ARCHIVER_LITTER = /(^|\/)(__MACOSX(\/|$)|\.DS_Store$|__pycache__(\/|$))/;

/**
 * A teacher's upload (issue 14, ADR 052) written into a one-notebook course folder (the notebook
 * as `w1/w1-s1-c1-notebook.<ext>`, the archive's `modules/…`) in a temporary folder and imported
 * with `importCourse` as a new version of the teacher's private course — a new one, or
 * `notebookId`, which must be theirs (null otherwise). All or nothing: a refused or failed upload
 * stores nothing; its import errors name the uploaded file.
 */
export async function uploadTeacherNotebook(
  services: UploadServices,
  teacherId: number,
  upload: NotebookUpload,
  notebookId?: number,
): Promise<UploadOutcome | null> {
  const checked = checkUpload(upload);
  if ('problem' in checked) return { status: 'refused', problem: checked.problem };
  let slug: string;
  if (notebookId === undefined) {
    slug = `nb-${randomBytes(8).toString('hex')}`;
  } else {
    const owned = await selectOptionalOwnedCourseSlug(services.db.kysely, teacherId, notebookId);
    if (!owned) return null;
    slug = owned;
  }

  const temp = await mkdtemp(join(tmpdir(), 'carnet-notebook-'));
  try {
    const folder = join(temp, slug);
    const internal = `${NOTEBOOK_STEM}${checked.extension}`;
    const files = new Map<string, Buffer>([[internal, checked.notebook], ...checked.modules]);
    for (const [path, data] of files) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      // `wx`: never through anything already there (the paths are checked plain relative ones).
      await writeFile(join(folder, path), data, { flag: 'wx' });
    }
    let summary: ImportSummary;
    try {
      summary = await importCourse(services.db, {
        source: folder,
        slug,
        dataDir: services.dataDir,
        maxFileBytes: MODULES_MAX_BYTES,
        sandbox: services.sandbox,
        sandboxProblem: services.sandboxProblem,
        ownerId: teacherId,
        sourceLabel: `upload: ${upload.notebook!.filename}`,
      });
    } catch (error) {
      if (error instanceof ImportError) {
        return {
          status: 'failed',
          errors: [
            { file: '', line: 0, column: 0, severity: 'error', code: 'import', message: error.message } as Diagnostic,
          ],
        };
      }
      throw error;
    }
    const rename = (d: Diagnostic): Diagnostic => (d.file === internal ? { ...d, file: upload.notebook!.filename } : d);
    if (summary.status === 'failed') return { status: 'failed', errors: summary.errors.map(rename) };
    return {
      status: summary.status === 'imported' ? 'imported' : 'unchanged',
      notebookId: (await courseIdOf(services.db, slug))!,
      versionId: summary.versionId!,
      warnings: summary.warnings.map(rename),
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function courseIdOf(db: Db, slug: string): Promise<number | null> {
  const row = await db.kysely.selectFrom('courses').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id ?? null;
}

type CheckedUpload = { extension: '.ipynb' | '.md'; notebook: Buffer; modules: Map<string, Buffer> };

/** The upload's files as the course folder will hold them, or the first problem with a field. */
export function checkUpload(upload: NotebookUpload): CheckedUpload | { problem: FieldProblem } {
  const { notebook, modules } = upload;
  if (!notebook || notebook.data.length === 0)
    return { problem: { field: 'notebook', key: 'notebooks.error.notebookMissing' } };
  const extension = /\.ipynb$/i.test(notebook.filename) ? '.ipynb' : /\.md$/i.test(notebook.filename) ? '.md' : null;
  if (!extension) return { problem: { field: 'notebook', key: 'notebooks.error.notebookType' } };
  if (notebook.data.length > NOTEBOOK_MAX_BYTES) {
    return {
      problem: { field: 'notebook', key: 'notebooks.error.notebookSize', params: { mb: NOTEBOOK_MAX_BYTES >> 20 } },
    };
  }
  const files = new Map<string, Buffer>();
  if (modules && modules.data.length > 0) {
    if (!/\.zip$/i.test(modules.filename)) return { problem: { field: 'modules', key: 'notebooks.error.zipType' } };
    if (modules.data.length > MODULES_ZIP_MAX_BYTES) {
      return {
        problem: { field: 'modules', key: 'notebooks.error.zipSize', params: { mb: MODULES_ZIP_MAX_BYTES >> 20 } },
      };
    }
    let entries: Map<string, Buffer>;
    try {
      entries = readZip(modules.data, { maxEntries: MODULES_MAX_ENTRIES, maxTotalBytes: MODULES_MAX_BYTES });
    } catch (error) {
      if (!(error instanceof ZipError)) throw error;
      const params = { entry: error.entry ?? '', max: MODULES_MAX_ENTRIES, mb: MODULES_MAX_BYTES >> 20 };
      return { problem: { field: 'modules', key: ZIP_MESSAGES[error.problem], params } };
    }
    for (const [path, data] of entries) {
      if (ARCHIVER_LITTER.test(path)) continue;
      if (!path.startsWith('modules/')) {
        return { problem: { field: 'modules', key: 'notebooks.error.zipOutside', params: { entry: path } } };
      }
      files.set(path, data);
    }
    if (files.size === 0) return { problem: { field: 'modules', key: 'notebooks.error.zipEmpty' } };
  }
  return { extension, notebook: notebook.data, modules: files };
}
