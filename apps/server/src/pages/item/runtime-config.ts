import type { RuntimeConfig } from '@carnet/runtime';
import { fr, type MessageKey } from '../../i18n/fr.ts';
import type { Translate } from '../../i18n/index.ts';
import { courseItemUrl, loginUrl, runtimeExercisesUrl, runtimeFilesUrl, runtimeModulesUrl } from '../../lib/urls.ts';

/** Where the course sits in Python's virtual file system. */
export const COURSE_ROOT = '/home/pyodide/course';

/** Catalogue entries under a prefix, keyed by the rest of their name (a page script's strings). */
export function entries(t: Translate, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(fr) as MessageKey[]) {
    // Placeholders stay for the browser to fill: translate without parameters.
    if (key.startsWith(prefix)) result[key.slice(prefix.length)] = t(key);
  }
  return result;
}

export interface NotebookRuntimeInput {
  slug: string;
  tag: string;
  /** The notebook's course path (its folder is Python's working directory) and route. */
  path: string;
  route: string;
  codeCells: { id: string; tags: string[]; source: string }[];
  packages: string[];
  moduleNames: string[];
  /** Whether the version has exercise modules the browser can import (sealed or open). */
  hasExercises: boolean;
  pyodideUrl: string;
  packagesUrl: string | null;
  workerUrl: string;
  /** Whether reaching the end marks the page read: notebooks yes, video pages no (watching does). */
  reading: boolean;
}

/**
 * The notebook page's configuration, in the reader's language, in two parts: what starts the
 * runtime (in the page's head, read at once by notebook.client.ts) and what the cells need.
 */
export function notebookRuntimeConfig(t: Translate, input: NotebookRuntimeInput): { runtime: object; page: object } {
  const folder = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/')) : '';
  const runtime: RuntimeConfig = {
    pyodideUrl: input.pyodideUrl,
    packagesUrl: input.packagesUrl,
    packages: input.packages,
    filesUrl: runtimeFilesUrl(input.slug, input.tag),
    root: COURSE_ROOT,
    cwd: folder ? `${COURSE_ROOT}/${folder}` : COURSE_ROOT,
    modules:
      input.moduleNames.length > 0 ? { url: runtimeModulesUrl(input.slug, input.tag), names: input.moduleNames } : null,
    exercises: input.hasExercises ? { url: runtimeExercisesUrl(input.slug, input.tag) } : null,
    checks: input.hasExercises
      ? { url: '/api/checks', sessionUrl: '/api/session', slug: input.slug, route: input.route }
      : null,
    // Python's messages, and why a check could not be verified (the server's reason codes).
    messages: {
      ...entries(t, 'runtime.py.'),
      ...Object.fromEntries(Object.entries(entries(t, 'runtime.ui.gradeReason.')).map(([k, v]) => [`reason.${k}`, v])),
    },
  };
  return {
    runtime: { workerUrl: input.workerUrl, runtime },
    page: {
      strings: entries(t, 'runtime.ui.'),
      cells: input.codeCells,
      slug: input.slug,
      route: input.route,
      loginUrl: loginUrl(courseItemUrl(input.slug, input.route)),
      reading: input.reading,
      snapshot: entries(t, 'snapshot.ui.'),
    },
  };
}
