import type { FastifyRequest } from 'fastify';
import type { Activity } from '../../db/schema.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { moduleNames } from '../../lib/exercises/modules.ts';
import { versionSeals } from '../../lib/exercises/seals.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { selectPublicFileList } from '../../models/course-files.ts';
import { selectOptionalItemByRoute } from '../../models/course-items.ts';
import { selectOptionalCourseById, selectOptionalVersionById } from '../../models/courses.ts';
import type { Services } from '../../services.ts';
import type { SafeHtml } from '../../views/html.ts';
import { itemView } from '../item/item.view.ts';
import { notebookRuntimeConfig } from '../item/runtime-config.ts';

/** How the notebook page of an activity loads its cells (read by the client's page.ts). */
export interface ActivityPageMode {
  /** A pupil's own activity: their submissions name it and are graded at its pinned version. */
  activityId?: number;
  /** The pupil's copy, saved through this API prefix. */
  workUrl?: string;
  /** Cells shown as they are and never saved (a copy handed in, or the teacher's review). */
  cells?: { id: string; code: string }[];
  /** What the save status says when nothing is saved. */
  notice?: string;
  /** The teacher's comments, by cell, shown under their cells. */
  comments?: { cellId: string; body: string; author: string | null }[];
}

/** The activity's item page (its pinned version), rendered for this reader with the activity's parts. */
export async function activityItemPage(
  request: FastifyRequest,
  services: Services,
  activity: Activity,
  mode: ActivityPageMode,
  parts: { top: SafeHtml; bottom: SafeHtml; breadcrumb: { label: string; href?: string }[] },
): Promise<string> {
  const { db, assets, config, pyodide } = services;
  const version = await selectOptionalVersionById(db.kysely, activity.version_id);
  const course = await selectOptionalCourseById(db.kysely, activity.course_id);
  const item = await selectOptionalItemByRoute(db.kysely, activity.version_id, activity.route);
  if (!version || !course || !item) throw new HttpError('NOT_FOUND');
  const ctx = pageContext(request, assets);
  const meta = JSON.parse(item.meta) as { codeCells?: { id: string; tags: string[]; source: string }[] };
  let runtime: { runtime: object; page: object } | null = null;
  if (item.type === 'notebook') {
    const structure = JSON.parse(version.structure) as Partial<CourseStructure>;
    const files = await selectPublicFileList(db.kysely, version.id);
    runtime = notebookRuntimeConfig(ctx.t, {
      slug: course.slug,
      tag: version.tag,
      path: item.path,
      route: item.route,
      codeCells: meta.codeCells ?? [],
      packages: structure.meta?.packages ?? [],
      moduleNames: moduleNames(files.map((f) => f.path)),
      hasExercises: (await versionSeals(db.kysely, version.id)).docs.length > 0,
      pyodideUrl: pyodide.url,
      packagesUrl: config.pyodidePackagesUrl ?? null,
      workerUrl: assets.url('runtime-worker.js'),
      reading: false,
    });
    if (mode.activityId !== undefined) {
      const started = runtime.runtime as { runtime: { checks: { activity?: number } | null } };
      if (started.runtime.checks) started.runtime.checks.activity = mode.activityId;
    }
    runtime = { runtime: runtime.runtime, page: { ...runtime.page, activity: mode } };
  }
  return itemView(ctx, {
    slug: course.slug,
    courseTitle: version.title,
    language: version.language,
    item,
    previous: null,
    next: null,
    runtime,
    activity: parts,
  });
}
