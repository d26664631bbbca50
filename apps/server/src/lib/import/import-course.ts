import { basename, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import {
  buildCourse,
  fileHash,
  readCourseFolder,
  slugify,
  snapshotHash,
  type CourseModel,
  type Diagnostic,
  type MediaFile,
} from '@carnet/course-format';
import { renderCourse, RENDERER_VERSION, type RenderedItem } from '@carnet/render';
import type { Db } from '../../db/database.ts';
import type { NewCourseFile, NewCourseItem } from '../../db/schema.ts';
import { insertItems, insertQuizKeys } from '../../models/course-items.ts';
import { insertFiles, insertMissingBlobs } from '../../models/course-files.ts';
import {
  ensureCourse,
  selectOptionalCourseBySlug,
  selectOptionalVersionByHash,
  updateLiveVersion,
} from '../../models/courses.ts';
import { contentTypeOf } from './content-type.ts';
import { checkoutGitSource, isGitUrl } from './git.ts';
import { courseFileUrl, courseItemUrl } from '../urls.ts';
import { summarise, type ImportSummary } from './summary.ts';
import { sealModules, type SealOutcome } from '../exercises/seal.ts';
import { hiddenChecks, SEAL_FORMAT } from '../exercises/seals.ts';
import { sealWarnings } from './seal-warnings.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { insertExerciseSeals } from '../../models/exercise-seals.ts';
import { videoFacts } from '../videos/facts.ts';
import { insertCourseMedia } from '../../models/course-media.ts';
import { MediaChangedError, mediaContentType, storeMediaFiles } from '../media.ts';

export interface ImportOptions {
  /** A folder, or a git URL (https://, ssh, file://). */
  source: string;
  /** The course's address; by default the folder or repository name. */
  slug?: string | undefined;
  /** Validate only: parse and render, write nothing. */
  check?: boolean;
  dataDir: string;
  maxFileBytes?: number;
  /** Largest video file (`.webm`, `.mp4`, `.m4v`) accepted; default 4 GiB (ADR 040). */
  maxMediaBytes?: number;
  /** Where exercise modules are sealed; without one they are recorded as not sealed. */
  sandbox?: Sandbox | undefined;
  /** Why there is no sandbox (what to install), for the record. */
  sandboxProblem?: string | undefined;
  /** Imports into this teacher's private course (ADR 052); without it the course must not be private. */
  ownerId?: number | undefined;
  /** What to record as the source instead of the folder's path (an upload's file name). */
  sourceLabel?: string | undefined;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/**
 * Imports a course folder or repository as a new version of the course, all or nothing: the
 * version, its items and files are written in one transaction that also makes it live, so a failed
 * import leaves the previous version live and nothing behind. Identical content is a no-op.
 */
export async function importCourse(db: Db, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  let folder: string;
  let name: string;
  let source = options.source;
  let commit: string | null = null;
  if (isGitUrl(options.source)) {
    const checkout = await checkoutGitSource(options.source, options.dataDir);
    ({ folder, name, commit } = checkout);
  } else {
    folder = resolve(options.source);
    source = options.sourceLabel ?? folder;
    const info = await stat(folder).catch(() => null);
    if (!info?.isDirectory()) throw new ImportError(`${options.source} is not a folder (nor a git URL).`);
    name = basename(folder);
  }
  const slug = options.slug ?? slugify(name);
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) {
    throw new ImportError(`"${slug}" cannot be a course address: use lower-case letters, digits and dashes (--slug).`);
  }

  const snapshot = await readCourseFolder(folder, {
    maxFileBytes: options.maxFileBytes,
    maxMediaBytes: options.maxMediaBytes,
  });
  // A new renderer or seal format makes a new version: pages and seals are made again.
  const hash = snapshotHash(snapshot, `${RENDERER_VERSION}\0${SEAL_FORMAT}`);
  const tag = hash.slice(0, 16);
  const base = { slug, source, commit, hash, tag };

  if (!options.check) {
    const existing = await selectOptionalCourseBySlug(db.kysely, slug);
    if (existing) checkOwner(existing, options.ownerId);
    const known = existing ? await selectOptionalVersionByHash(db.kysely, existing.id, hash) : null;
    if (existing && known) {
      const wasLive = existing.live_version_id === known.id;
      if (!wasLive) await updateLiveVersion(db.kysely, existing.id, known.id, known.title);
      const stored = JSON.parse(known.summary) as ImportSummary;
      return {
        ...stored,
        ...base,
        status: wasLive ? 'unchanged' : 'restored',
        versionId: known.id,
        durationMs: elapsed(started),
      };
    }
  }

  const course = buildCourse(snapshot, { name });
  const diagnostics: Diagnostic[] = [...course.diagnostics];
  const rendered = renderCourse(
    course,
    { itemUrl: (route) => courseItemUrl(slug, route), fileUrl: (path) => courseFileUrl(slug, tag, path) },
    diagnostics,
  );
  const summary = summarise(course, diagnostics, base);
  if (summary.errors.length > 0) return { ...summary, status: 'failed', durationMs: elapsed(started) };
  if (options.check) return { ...summary, status: 'checked', durationMs: elapsed(started) };

  // Exercise modules run once, in the sandbox, before anything is written (ADR 024, 034).
  const seals = await sealModules(
    course,
    snapshot.files,
    options.sandbox,
    options.sandboxProblem ?? 'no sandbox was given to the import',
  );
  summary.warnings.push(...sealWarnings(course, seals));
  summary.exerciseSeals = seals.map(({ module, status, reason, seal }) => ({
    module,
    status,
    reason,
    // What the browser receives of the module besides its exercises: these sources, nothing else.
    helpers: (seal?.helpers ?? []).filter((h) => h.module === module).map((h) => h.name),
    exercises: (seal?.exercises ?? []).map((e) => ({
      attribute: e.attribute,
      mode: e.mode,
      hiddenChecks: hiddenChecks(e),
      random: e.random,
      reason: e.reason,
    })),
  }));
  // Videos are copied to DATA_DIR/media before the transaction that names them (ADR 040): a failure
  // after this leaves at most unreferenced files, never a version without its video.
  const media = snapshot.media ?? new Map<string, MediaFile>();
  try {
    await storeMediaFiles(options.dataDir, media);
  } catch (error) {
    if (error instanceof MediaChangedError) throw new ImportError(error.message);
    throw error;
  }
  const versionId = await store(
    db,
    course,
    rendered,
    withCaptions(course, rendered, snapshot.files),
    media,
    { ...summary, status: 'imported', durationMs: 0 },
    seals,
    options.ownerId,
  );
  return { ...summary, status: 'imported', versionId, durationMs: elapsed(started) };
}

/** A teacher's private course takes versions only from its owner's uploads, a catalogue course never from one. */
function checkOwner(course: { private: number; owner_id: number | null }, ownerId: number | undefined): void {
  if (ownerId === undefined ? course.private !== 0 : course.private !== 1 || course.owner_id !== ownerId) {
    throw new ImportError('This address belongs to another course: choose another one (--slug).');
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Writes a new version and makes it live, in one transaction. */
async function store(
  db: Db,
  course: CourseModel,
  rendered: RenderedItem[],
  files: Map<string, Uint8Array>,
  media: ReadonlyMap<string, MediaFile>,
  summary: ImportSummary,
  seals: SealOutcome[],
  ownerId: number | undefined,
): Promise<number> {
  const now = new Date().toISOString();
  return db.kysely.transaction().execute(async (trx) => {
    const row = await ensureCourse(trx, summary.slug, course.meta.title, summary.source, ownerId);
    checkOwner(row, ownerId);
    const { id: versionId } = await trx
      .insertInto('course_versions')
      .values({
        course_id: row.id,
        hash: summary.hash,
        tag: summary.tag,
        title: course.meta.title,
        description: course.meta.description,
        language: course.meta.language,
        structure: JSON.stringify(structureOf(course)),
        summary: JSON.stringify(summary),
        renderer: RENDERER_VERSION,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const items: NewCourseItem[] = rendered.map((r, position) => ({
      version_id: versionId,
      route: r.item.route,
      path: r.item.path,
      type: r.item.type,
      kind: r.item.kind,
      position,
      week: r.item.week,
      sequence: r.item.sequence,
      title: r.item.title,
      menu_title: r.item.menuTitle,
      html: r.html,
      headings: JSON.stringify(r.headings),
      meta: JSON.stringify(itemMeta(r)),
    }));
    await insertItems(trx, items);
    await insertQuizKeys(
      trx,
      course.items.flatMap((i) =>
        i.type === 'quiz' ? [{ version_id: versionId, route: i.route, quiz: JSON.stringify(i.quiz) }] : [],
      ),
    );

    const blobs = new Map<string, Uint8Array>();
    const fileRows: NewCourseFile[] = course.files.map((f) => {
      const data = files.get(f.path)!;
      const blobHash = fileHash(data);
      blobs.set(blobHash, data);
      return {
        version_id: versionId,
        path: f.path,
        blob_hash: blobHash,
        size: f.size,
        content_type: contentTypeOf(f.path),
        public: f.public ? 1 : 0,
      };
    });
    await insertMissingBlobs(trx, blobs);
    await insertFiles(trx, fileRows);
    await insertCourseMedia(
      trx,
      [...media].map(([path, file]) => ({
        version_id: versionId,
        path,
        sha256: file.sha256,
        size: file.size,
        content_type: mediaContentType(path),
      })),
    );
    await insertExerciseSeals(
      trx,
      versionId,
      seals.map((s) => ({
        module: s.module,
        status: s.status,
        seal: s.seal ? JSON.stringify(s.seal) : null,
        reason: s.reason,
      })),
      now,
    );
    await updateLiveVersion(trx, row.id, versionId, course.meta.title);
    return versionId;
  });
}

/** What an item's pages and API need besides its HTML (course_items.meta). */
function itemMeta(r: RenderedItem): object {
  if (r.item.type === 'notebook') return { exercises: r.item.exercises, codeCells: r.codeCells };
  if (r.item.type === 'video') return { codeCells: r.codeCells, videos: videoFacts(r.item) };
  return {};
}

/**
 * The WebVTT captions of video pages, made from the SubRip files at render, join the version's
 * files (public, like the subtitles they come from); a .vtt the author wrote at that path wins.
 */
function withCaptions(
  course: CourseModel,
  rendered: RenderedItem[],
  files: Map<string, Uint8Array>,
): Map<string, Uint8Array> {
  const captions = rendered.flatMap((r) => r.captions).filter((c) => !files.has(c.path));
  if (captions.length === 0) return files;
  const all = new Map(files);
  const encoder = new TextEncoder();
  for (const caption of captions) {
    const data = encoder.encode(caption.vtt);
    all.set(caption.path, data);
    course.files.push({ path: caption.path, size: data.byteLength, role: 'asset', public: true });
  }
  return all;
}

/** What pages need to show the course's organisation, stored with the version. */
export interface CourseStructure {
  tracks: CourseModel['tracks'];
  tracksFrom: CourseModel['tracksFrom'];
  weeks: CourseModel['weeks'];
  sequenceTitles: CourseModel['sequenceTitles'];
  meta: CourseModel['meta'];
  /** nbhosting static mappings (`data` in each notebook folder → the course's `data`). */
  staticMappings: CourseModel['staticMappings'];
}

function structureOf(course: CourseModel): CourseStructure {
  return {
    tracks: course.tracks,
    tracksFrom: course.tracksFrom,
    weeks: course.weeks,
    sequenceTitles: course.sequenceTitles,
    meta: course.meta,
    staticMappings: course.staticMappings,
  };
}
