import { parseIpynbNotebook, parseMystNotebook } from '@carnet/course-format';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireUser, type CurrentUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { statusesByRoute } from '../lib/progress/status.ts';
import { toIpynb, toMyst } from '../lib/work/notebook-export.ts';
import { saveCell } from '../lib/work/save.ts';
import { selectOptionalFileData } from '../models/course-files.ts';
import { insertStartedIfAbsent, selectItemProgress } from '../models/item-progress.ts';
import { selectCellHistory, selectSavedCells, type SavedCellView } from '../models/saved-cells.ts';
import type { Services } from '../services.ts';
import { normaliseRoute, pathSegments, type ItemFacts, type ItemTarget } from './items.ts';
import { throttleWrites } from './limits.ts';
import type { ApiParts } from './routes.ts';

/** Largest code a save accepts (UTF-8 bytes). */
export const MAX_CODE_BYTES = 256 * 1024;
/** Largest course original a save carries (a course cell is rarely more than a few KiB). */
const MAX_ORIGINAL_BYTES = 1024 * 1024;
/** Longest cell id (nbformat ids are at most 64 characters; MyST ids are free text). */
export const MAX_CELL_ID = 200;

const saveBody = z.object({
  code: z.string(),
  original: z.string(),
  baseVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

const PREFIX = '/api/work/';

/** A saved cell as the API shows it. */
function cellJson(row: SavedCellView) {
  return {
    cellId: row.cell_id,
    code: row.code,
    original: row.original,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

/**
 * The saved-work API (contract in the README, "Saved work"): a learner's cells of a notebook,
 * saving one cell with optimistic concurrency, a cell's history, and the notebook with their code
 * as a file. Every query is scoped by the logged-in user: there are no ids of anyone in the URLs.
 */
export function workRoutes(app: FastifyInstance, services: Services, { limiter, items }: ApiParts): void {
  const { db, clock } = services;

  /** `/api/work/<slug>/<route…>[/cells/<id>[/history] | /download?format=…]` */
  app.get<{ Querystring: { format?: string } }>(`${PREFIX}*`, async (request, reply) => {
    const user = requireUser(request);
    const [slug = '', ...rest] = pathSegments(request.url, PREFIX);
    reply.header('Cache-Control', 'no-store');
    if (rest.length >= 4 && rest.at(-1) === 'history' && rest.at(-3) === 'cells') {
      const target = await items.resolve(request, slug, normaliseRoute(rest.slice(0, -3)));
      const cellId = rest.at(-2)!;
      if (!validCellId(cellId)) throw new HttpError('CELL_NOT_FOUND');
      const versions = await selectCellHistory(db.kysely, { ...key(user, target), cellId });
      return { versions: versions.map((v) => ({ version: v.version, code: v.code, createdAt: v.created_at })) };
    }
    if (rest.length >= 2 && rest.at(-1) === 'download' && request.query.format !== undefined) {
      const target = await items.resolve(request, slug, normaliseRoute(rest.slice(0, -1)), { exact: true });
      return download(request, reply, user, target, request.query.format);
    }
    const target = await notebook(request, slug, rest);
    const cells = await selectSavedCells(db.kysely, key(user, target));
    // Opening a notebook while logged in starts it (the page asks for its saved work on load).
    let rows = await selectItemProgress(db.kysely, user.id, target.courseId, target.route);
    if (!rows.some((r) => r.source === 'reading')) {
      await insertStartedIfAbsent(db.kysely, { ...key(user, target), source: 'reading' }, clock().toISOString());
      rows = [...rows, { route: target.route, source: 'reading', state: 'started' }];
    }
    return {
      cells: cells.map(cellJson),
      progress: statusesByRoute(rows).get(target.route) ?? 'not-started',
      csrf: request.authSession!.csrfSecret,
    };
  });

  /** `PUT /api/work/<slug>/<route…>/cells/<id>`: saves one cell if `baseVersion` is the stored version. */
  app.put(`${PREFIX}*`, { bodyLimit: 3 * 1024 * 1024 }, async (request, reply) => {
    const user = requireUser(request);
    const [slug = '', ...rest] = pathSegments(request.url, PREFIX);
    if (rest.length < 3 || rest.at(-2) !== 'cells') throw new HttpError('NOT_FOUND');
    const cellId = rest.at(-1)!;
    if (!validCellId(cellId)) throw new HttpError('CELL_NOT_FOUND');
    const target = await notebook(request, slug, rest.slice(0, -2), (item) => item.codeCells.has(cellId));
    const courseOriginal = target.item.codeCells.get(cellId);
    if (courseOriginal === undefined) throw new HttpError('CELL_NOT_FOUND');
    const parsed = saveBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'code, original, baseVersion');
    const { code, original, baseVersion } = parsed.data;
    if (Buffer.byteLength(code, 'utf8') > MAX_CODE_BYTES) throw new HttpError('CELL_TOO_LARGE');
    if (Buffer.byteLength(original, 'utf8') > MAX_ORIGINAL_BYTES) {
      throw new HttpError('PAYLOAD_TOO_LARGE', String(MAX_ORIGINAL_BYTES / 1024));
    }
    throttleWrites(limiter, user, clock());
    const result = await saveCell(
      db.kysely,
      { ...key(user, target), cellId },
      { code, original },
      baseVersion,
      clock(),
    );
    reply.header('Cache-Control', 'no-store');
    if (result.saved) return { version: result.version, updatedAt: result.updatedAt };
    const current = result.current
      ? {
          code: result.current.code,
          original: result.current.original,
          version: result.current.version,
          updatedAt: result.current.updated_at,
        }
      : { code: courseOriginal, original: courseOriginal, version: 0, updatedAt: null };
    return reply.code(409).send({ error: 'CONFLICT', message: request.t('error.conflict.body'), current });
  });

  async function notebook(
    request: FastifyRequest,
    slug: string,
    routeSegments: string[],
    accept?: (item: ItemFacts) => boolean,
  ): Promise<ItemTarget> {
    const target = await items.resolve(request, slug, normaliseRoute(routeSegments), {
      accept: (item) => item.type !== 'quiz' && (accept?.(item) ?? true),
    });
    // A video page's code cells are saved like a notebook's.
    if (target.item.type === 'quiz') throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    return target;
  }

  async function download(
    request: FastifyRequest,
    reply: FastifyReply,
    user: CurrentUser,
    target: ItemTarget,
    format: string,
  ) {
    if (format !== 'ipynb' && format !== 'myst') throw new HttpError('BAD_REQUEST', 'format=ipynb|myst');
    if (target.item.type !== 'notebook') throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    const data = await selectOptionalFileData(db.kysely, target.version.id, target.item.path);
    if (!data) throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    const text = data.toString('utf8');
    const parse = target.item.path.endsWith('.ipynb') ? parseIpynbNotebook : parseMystNotebook;
    const { value: parsed } = parse(text, target.item.path);
    if (!parsed) throw new Error(`stored notebook ${target.item.path} no longer parses`);
    const saved = await selectSavedCells(db.kysely, key(user, target));
    const code = new Map(saved.map((c) => [c.cell_id, c.code]));
    const name = target.item.path
      .split('/')
      .pop()!
      .replace(/\.(md|ipynb)$/, '');
    const [body, type, extension] =
      format === 'ipynb'
        ? [toIpynb(parsed, code), 'application/x-ipynb+json', 'ipynb']
        : [toMyst(parsed, code), 'text/markdown; charset=utf-8', 'md'];
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', attachment(`${name}.${extension}`))
      .type(type)
      .send(body);
  }
}

/** A cell id as notebooks have them: 1 to 200 characters, no control characters. */
export function validCellId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_CELL_ID && !/[\u0000-\u001f\u007f]/.test(id);
}

function key(user: CurrentUser, target: ItemTarget) {
  return { userId: user.id, courseId: target.courseId, route: target.route };
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266). */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
