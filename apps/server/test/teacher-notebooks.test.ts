// A teacher's own notebooks (issue 14, ADR 052): uploaded through /teach/notebooks, imported as a
// private course, hidden from everyone but their owner; the archive attacks refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { teacherNotebookItem } from '../src/lib/teacher-notebooks/notebooks.ts';
import { crc32, readZip } from '../src/lib/teacher-notebooks/unzip.ts';
import { zipFiles } from '../src/lib/zip.ts';
import { selectOptionalTeacherNotebook, selectTeacherNotebooks } from '../src/models/teacher-notebooks.ts';
import { approveTeacher } from '../src/models/teachers.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, notebook } from './fixtures.ts';

/** A zip whose entries say what we like: names, Unix modes, stored data (the attacks). */
function rawZip(entries: { name: string; data?: Buffer; mode?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = e.data ?? Buffer.from('x');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A deflated entry that declares a small size but inflates to `size` bytes (a zip bomb). */
function bomb(size: number): Buffer {
  const data = Buffer.alloc(size);
  const archive = zipFiles([{ path: 'modules/bomb.py', data }]);
  // Lie about the size in the central directory (the local header is not trusted either).
  const cd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  archive.writeUInt32LE(10, cd + 24);
  return archive;
}

function multipart(parts: { name: string; value?: string; filename?: string; data?: Buffer }[]) {
  const boundary = '----carnet-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n`));
    if (p.filename !== undefined) chunks.push(Buffer.from('Content-Type: application/octet-stream\r\n'));
    chunks.push(Buffer.from('\r\n'), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const EXERCISE_NOTEBOOK = readFileSync(join(DEMO_COURSE, 'w1/w1-s3-x1-duree.md'));
const EXERCISE_MODULE = readFileSync(join(DEMO_COURSE, 'modules/corrections/exo_duree.py'));

const IPYNB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    { cell_type: 'markdown', id: 'a1', metadata: {}, source: ['# Les listes en seconde\n', '\n', 'Un TP.'] },
    { cell_type: 'code', id: 'c1', metadata: {}, execution_count: null, outputs: [], source: ['print([1, 2])'] },
  ],
});

describe.each(DIALECTS)('teacher notebooks on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let users = 0;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function person() {
    const name = `person${++users}`;
    const user = await createUser(t.db, `${name}@example.org`, { name: `Person ${users}` });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }
  async function teacher() {
    const made = await person();
    await approveTeacher(t.db.kysely, made.user.id, null, new Date());
    return made;
  }

  /** Posts the upload form as a browser does (multipart, the page's CSRF token). */
  async function upload(
    agent: Agent,
    files: { notebook?: [string, Buffer | string]; modules?: [string, Buffer] },
    options: { url?: string; csrf?: string | null } = {},
  ) {
    const page = await agent.get('/teach/notebooks');
    const token =
      options.csrf === undefined ? (/name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '') : options.csrf;
    const parts: Parameters<typeof multipart>[0] = token === null ? [] : [{ name: '_csrf', value: token }];
    if (files.notebook)
      parts.push({ name: 'notebook', filename: files.notebook[0], data: Buffer.from(files.notebook[1]) });
    else parts.push({ name: 'notebook', filename: '', data: Buffer.alloc(0) });
    if (files.modules) parts.push({ name: 'modules', filename: files.modules[0], data: files.modules[1] });
    const body = multipart(parts);
    return app.inject({
      method: 'POST',
      remoteAddress: agent.ip,
      url: options.url ?? '/teach/notebooks',
      headers: {
        cookie: [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '),
        'content-type': body.contentType,
        'sec-fetch-site': 'same-origin',
      },
      payload: body.payload,
    });
  }

  const counts = async () => {
    const row = async (table: 'courses' | 'course_versions' | 'course_items') =>
      Number(
        (
          await t.db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { courses: await row('courses'), versions: await row('course_versions'), items: await row('course_items') };
  };

  it('uploads a MyST notebook: a private course its owner previews, new versions on re-upload', async () => {
    const { user, agent } = await teacher();
    const res = await upload(agent, { notebook: ['mon-tp.md', notebook('Mon TP sur les boucles')] });
    expect(res.statusCode, res.body.slice(0, 600)).toBe(303);
    const id = Number(/^\/teach\/notebooks\/(\d+)\?notice=uploaded$/.exec(String(res.headers['location']))![1]);
    const item = await selectOptionalTeacherNotebook(t.db.kysely, user.id, id);
    expect(item).toMatchObject({ title: 'Mon TP sur les boucles', versions: 1, source: 'upload: mon-tp.md' });
    const page = await agent.get(`/teach/notebooks/${id}`);
    expect(page.body).toContain('Mon TP sur les boucles');
    const href = `/courses/${item!.slug}/${item!.route}`;
    expect(page.body).toContain(`href="${href}"`);
    const preview = await agent.get(href);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('id="carnet-notebook"');
    expect(preview.body).toContain('"source":"print(\\"Mon TP sur les boucles\\")"');
    expect((await agent.get('/teach/notebooks')).body).toContain(`href="/teach/notebooks/${id}"`);

    const again = await upload(
      agent,
      { notebook: ['mon-tp.md', notebook('Mon TP sur les boucles', 'Corrigé.')] },
      { url: `/teach/notebooks/${id}` },
    );
    expect(again.statusCode).toBe(303);
    const second = await selectOptionalTeacherNotebook(t.db.kysely, user.id, id);
    expect(second!.versions).toBe(2);
    expect(second!.versionId).not.toBe(item!.versionId);
    expect(second!.route).toBe(item!.route);
    expect(await teacherNotebookItem(t.db.kysely, user.id, id)).toEqual({
      courseId: id,
      versionId: second!.versionId,
      route: item!.route,
      title: 'Mon TP sur les boucles',
    });
    const same = await upload(
      agent,
      { notebook: ['mon-tp.md', notebook('Mon TP sur les boucles', 'Corrigé.')] },
      { url: `/teach/notebooks/${id}` },
    );
    expect(String(same.headers['location'])).toBe(`/teach/notebooks/${id}?notice=unchanged`);
  });

  it('uploads an .ipynb notebook', async () => {
    const { user, agent } = await teacher();
    const res = await upload(agent, { notebook: ['listes.ipynb', IPYNB] });
    expect(res.statusCode, res.body.slice(0, 600)).toBe(303);
    const [nb] = await selectTeacherNotebooks(t.db.kysely, user.id);
    expect(nb).toMatchObject({ title: 'Les listes en seconde', versions: 1 });
    expect((await agent.get(`/courses/${nb!.slug}/${nb!.route}`)).body).toContain('print([1, 2])');
  });

  it('shows a broken notebook’s file, line and problem, and stores nothing', async () => {
    const { agent } = await teacher();
    const before = await counts();
    const broken = '{\n  "nbformat": 4,\n  "cells": [\n    { oops }\n  ]\n}\n';
    const res = await upload(agent, { notebook: ['casse.ipynb', broken] });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toMatch(/<code>casse\.ipynb:\d+<\/code>/);
    expect(res.body).toContain('aria-invalid="true"');
    expect(await counts()).toEqual(before);
  });

  it('seals an exercise module from the zip; the pupil-facing page renders for the owner', async () => {
    const { user, agent } = await teacher();
    const zip = zipFiles([
      { path: 'modules/corrections/__init__.py', data: Buffer.alloc(0) },
      { path: 'modules/corrections/exo_duree.py', data: EXERCISE_MODULE },
    ]);
    const res = await upload(agent, { notebook: ['duree.md', EXERCISE_NOTEBOOK], modules: ['modules.zip', zip] });
    expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
    const [nb] = await selectTeacherNotebooks(t.db.kysely, user.id);
    const seals = await t.db.kysely
      .selectFrom('exercise_seals')
      .selectAll()
      .where('version_id', '=', nb!.versionId)
      .execute();
    expect(seals.map((s) => [s.module, s.status])).toContainEqual(['corrections.exo_duree', 'sealed']);
    const page = await agent.get(`/courses/${nb!.slug}/${nb!.route}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('exo_duree');
    const modules = await agent.get(
      `/runtime/${nb!.slug}/${(await t.db.kysely.selectFrom('course_versions').select('tag').where('id', '=', nb!.versionId).executeTakeFirstOrThrow()).tag}/exercises.zip`,
    );
    expect(modules.statusCode).toBe(200);
  });

  it('refuses zip-slip, links, absolute paths, too many entries, bombs and oversized files', async () => {
    const { agent } = await teacher();
    const before = await counts();
    const nb: [string, string] = ['tp.md', notebook('TP')];
    const cases: [Buffer, RegExp][] = [
      [rawZip([{ name: 'modules/../../evil.py' }]), /chemin refusé \(modules\/..\/..\/evil.py\)/],
      [rawZip([{ name: '/etc/passwd' }]), /chemin refusé/],
      [rawZip([{ name: 'modules\\..\\evil.py' }]), /chemin refusé/],
      [rawZip([{ name: 'modules/link.py', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), /lien symbolique/],
      [rawZip(Array.from({ length: 501 }, (_, i) => ({ name: `modules/m${i}.py` }))), /plus de 500 fichiers/],
      [bomb(60 * 1024 * 1024), /dépasse 50 Mo/],
      [rawZip([{ name: 'ailleurs/x.py' }]), /en dehors/],
      [Buffer.from('not a zip at all, not at all'), /illisible/],
    ];
    for (const [zip, message] of cases) {
      const res = await upload(agent, { notebook: nb, modules: ['modules.zip', zip] });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(message);
      expect(res.body).toMatch(/id="f-modules"[^>]*aria-describedby="f-modules-hint f-modules-error"/);
    }
    const big = await upload(agent, { notebook: ['gros.md', notebook('Gros', 'x'.repeat(5 * 1024 * 1024 + 1))] });
    expect(big.statusCode).toBe(400);
    expect(big.body).toContain('dépasse 5 Mo');
    const huge = await upload(agent, { notebook: nb, modules: ['modules.zip', Buffer.alloc(26 * 1024 * 1024)] });
    expect(huge.statusCode).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it('the archive reader refuses entries before writing anything (unit)', () => {
    expect(() => readZip(rawZip([{ name: 'modules/./x.py' }]), { maxEntries: 10, maxTotalBytes: 100 })).toThrow(
      /unsafe-path/,
    );
    expect(() => readZip(rawZip([{ name: 'C:/x.py' }]), { maxEntries: 10, maxTotalBytes: 100 })).toThrow(/unsafe-path/);
    expect(() =>
      readZip(rawZip([{ name: 'modules/dev', mode: 0o020644 }]), { maxEntries: 10, maxTotalBytes: 100 }),
    ).toThrow(/unsafe-path/);
    const ok = readZip(
      rawZip([
        { name: 'modules/', mode: 0o040755 },
        { name: 'modules/a.py', data: Buffer.from('print(1)') },
      ]),
      {
        maxEntries: 10,
        maxTotalBytes: 100,
      },
    );
    expect([...ok.keys()]).toEqual(['modules/a.py']);
    expect(deflateRawSync(Buffer.from('a')).length).toBeGreaterThan(0);
  });

  it('refuses non-teachers, visitors and posts without the CSRF token', async () => {
    const before = await counts();
    const { agent } = await person();
    expect((await agent.get('/teach/notebooks')).statusCode).toBe(404);
    expect((await upload(agent, { notebook: ['tp.md', notebook('TP')] })).statusCode).toBe(404);
    expect((await new Agent(app).get('/teach/notebooks')).statusCode).toBe(303);
    const { agent: teaching } = await teacher();
    const forged = await upload(teaching, { notebook: ['tp.md', notebook('TP')] }, { csrf: 'wrong' });
    expect(forged.statusCode).toBe(403);
    expect((await upload(teaching, { notebook: ['tp.md', notebook('TP')] }, { csrf: null })).statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('never shows a private course in the catalogue, nor to another user or teacher (IDOR)', async () => {
    const { user, agent } = await teacher();
    expect((await upload(agent, { notebook: ['secret.md', notebook('Un TP très secret')] })).statusCode).toBe(303);
    const [nb] = await selectTeacherNotebooks(t.db.kysely, user.id);
    const { tag } = await t.db.kysely
      .selectFrom('course_versions')
      .select('tag')
      .where('id', '=', nb!.versionId)
      .executeTakeFirstOrThrow();
    const urls = [
      `/courses/${nb!.slug}`,
      `/courses/${nb!.slug}/${nb!.route}`,
      `/courses/${nb!.slug}/progress`,
      `/courses/${nb!.slug}/forum`,
      `/runtime/${nb!.slug}/${tag}/files.json`,
      `/runtime/${nb!.slug}/${tag}/modules.zip`,
      `/manage/courses/${nb!.slug}`,
      `/api/submissions?slug=${nb!.slug}&route=${nb!.route}`,
      `/teach/notebooks/${nb!.notebookId}`,
    ];
    const other = await teacher();
    const visitor = new Agent(app);
    for (const url of urls) {
      expect((await other.agent.get(url)).statusCode, url).toBe(404);
      if (!url.startsWith('/teach') && !url.startsWith('/manage'))
        expect((await visitor.get(url)).statusCode, url).toBe(404);
    }
    const work = await other.agent.json(
      'PUT',
      `/api/work/${nb!.slug}/${nb!.route}/cells/c1`,
      { code: 'x', version: 0 },
      { csrf: true },
    );
    expect(work.statusCode).toBe(404);
    // Another teacher cannot write a version into it either.
    expect(
      (await upload(other.agent, { notebook: ['x.md', notebook('X')] }, { url: `/teach/notebooks/${nb!.notebookId}` }))
        .statusCode,
    ).toBe(404);
    expect(await selectTeacherNotebooks(t.db.kysely, other.user.id)).toEqual([]);
    expect(await teacherNotebookItem(t.db.kysely, other.user.id, nb!.notebookId)).toBeNull();
    for (const reader of [visitor, other.agent, agent]) {
      const home = await reader.get('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).not.toContain('Un TP très secret');
      expect(home.body).not.toContain(nb!.slug);
    }
    // An author's import cannot take over the private course's address.
    await expect(importCourse(t.db, { source: DEMO_COURSE, slug: nb!.slug, dataDir: t.dataDir })).rejects.toThrow(
      /another course/,
    );
  });
});
