import { parseMystNotebook } from '@carnet/course-format';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalItemByRoute } from '../src/models/course-items.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const IPYNB = 'w2/w2-s2-c1-dictionnaires';
const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const work = (route = NOTEBOOK) => `/api/work/demo/${route}`;
const cellUrl = (cellId: string, route = NOTEBOOK) => `${work(route)}/cells/${encodeURIComponent(cellId)}`;

describe.each(DIALECTS)('saved work API on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let now = new Date('2026-03-10T10:00:00Z');
  /** Code cells of a notebook of the live version: id → original. */
  const cells = new Map<string, [string, string][]>();

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    // The write limit is tested on its own app below; here saves are as fast as the test wants.
    const config = loadConfig({}, { dataDir: t.dataDir, savesPerSecond: '100000' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    for (const route of [NOTEBOOK, IPYNB]) {
      const item = (await selectOptionalItemByRoute(t.db.kysely, live.id, route))!;
      const meta = JSON.parse(item.meta) as { codeCells: { id: string; source: string }[] };
      cells.set(
        route,
        meta.codeCells.map((c) => [c.id, c.source]),
      );
    }
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const cell = (i: number, route = NOTEBOOK) => {
    const [id, original] = cells.get(route)![i]!;
    return { id, original };
  };

  async function learner(email: string) {
    const user = await createUser(t.db, email, { name: email.split('@')[0] });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }

  function save(agent: Agent, cellId: string, body: object, route = NOTEBOOK) {
    return agent.json('PUT', cellUrl(cellId, route), body, { csrf: true });
  }

  it('tells a page who is logged in and its CSRF token, never cached', async () => {
    const anonymous = await new Agent(app).get('/api/session');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['cache-control']).toBe('no-store');
    expect(anonymous.json()).toEqual({ user: null, csrf: null });
    const { user, agent } = await learner('session@example.org');
    const res = await agent.get('/api/session');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.user).toEqual({ id: user.id, name: 'session' });
    expect(body.csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('refuses anonymous readers with 401 LOGIN_REQUIRED, even with a token', async () => {
    const visitor = new Agent(app);
    const read = await visitor.get(work());
    expect(read.statusCode).toBe(401);
    expect(read.json()).toMatchObject({ error: 'LOGIN_REQUIRED' });
    expect(read.json().message).toBe('Connectez-vous pour continuer.');
    const token = await visitor.csrf('/login');
    const write = await visitor.json(
      'PUT',
      cellUrl(cell(0).id),
      { code: 'x', original: '', baseVersion: 0 },
      { csrf: token },
    );
    expect(write.statusCode).toBe(401);
    expect(write.json().error).toBe('LOGIN_REQUIRED');
    const progress = await visitor.json('PUT', '/api/progress/demo/' + NOTEBOOK, { state: 'done', reason: 'button' });
    expect(progress.statusCode).toBe(401);
    expect((await visitor.get(`${work()}/download?format=ipynb`)).statusCode).toBe(401);
    expect((await visitor.get(`${cellUrl(cell(0).id)}/history`)).statusCode).toBe(401);
  });

  it('answers 404 for an unknown course, notebook or cell, and for a quiz', async () => {
    const { agent } = await learner('notfound@example.org');
    expect((await agent.get('/api/work/nope/' + NOTEBOOK)).json().error).toBe('COURSE_NOT_FOUND');
    expect((await agent.get(work('w1/nope'))).statusCode).toBe(404);
    expect((await agent.get(work(QUIZ))).statusCode).toBe(404);
    expect((await agent.get('/api/work/demo')).statusCode).toBe(404);
    expect((await agent.get(work('../../etc/passwd'))).statusCode).toBe(404);
    const unknownCell = await save(agent, 'not-a-cell', { code: 'x', original: '', baseVersion: 0 });
    expect(unknownCell.statusCode).toBe(404);
    expect(unknownCell.json().error).toBe('CELL_NOT_FOUND');
    expect((await save(agent, 'x'.repeat(201), { code: 'x', original: '', baseVersion: 0 })).statusCode).toBe(404);
    expect(
      (await agent.json('PUT', `${work()}/cells`, { code: 'x', original: '', baseVersion: 0 }, { csrf: true }))
        .statusCode,
    ).toBe(404);
  });

  it('saves a cell, reads it back, and counts versions (the reload finds the code)', async () => {
    const { agent } = await learner('saver@example.org');
    const first = await agent.get(work());
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const empty = first.json();
    expect(empty.cells).toEqual([]);
    expect(empty.csrf).toBe((await agent.session()).csrf);
    const { id, original } = cell(1);
    const v1 = await save(agent, id, { code: 'x = 1', original, baseVersion: 0 });
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toEqual({ version: 1, updatedAt: now.toISOString() });
    now = new Date(now.getTime() + 1000);
    const v2 = await save(agent, id, { code: 'x = 2', original, baseVersion: 1 });
    expect(v2.json()).toEqual({ version: 2, updatedAt: now.toISOString() });
    const again = (await agent.get(work())).json();
    expect(again.cells).toEqual([{ cellId: id, code: 'x = 2', original, version: 2, updatedAt: now.toISOString() }]);
    // The same route with its file extension or a trailing slash is the same notebook.
    expect((await agent.get(work(`${NOTEBOOK}.md`))).json().cells).toHaveLength(1);
    expect((await agent.get(work(`${NOTEBOOK}/`))).json().cells).toHaveLength(1);
    // Unicode and an empty cell are code like any other.
    const unicode = await save(agent, cell(2).id, {
      code: 'print("éè — 日本 🐍")',
      original: cell(2).original,
      baseVersion: 0,
    });
    expect(unicode.statusCode).toBe(200);
    const byId = new Map(
      (await agent.get(work())).json().cells.map((c: { cellId: string; code: string }) => [c.cellId, c.code]),
    );
    expect(byId.get(cell(2).id)).toBe('print("éè — 日本 🐍")');
    expect((await save(agent, cell(3).id, { code: '', original: cell(3).original, baseVersion: 0 })).statusCode).toBe(
      200,
    );
  });

  it('refuses a save from an old version with 409 and the current code', async () => {
    const { agent } = await learner('conflict@example.org');
    const { id, original } = cell(0);
    await save(agent, id, { code: 'tab A', original, baseVersion: 0 });
    await save(agent, id, { code: 'tab A again', original, baseVersion: 1 });
    const stale = await save(agent, id, { code: 'tab B', original, baseVersion: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      error: 'CONFLICT',
      current: { code: 'tab A again', original, version: 2 },
    });
    expect(stale.json().message).toContain('autre onglet');
    // A first save when there is already a row is a conflict too (two tabs, both starting fresh).
    const fresh = await save(agent, id, { code: 'tab C', original, baseVersion: 0 });
    expect(fresh.statusCode).toBe(409);
    expect(fresh.json().current.version).toBe(2);
    // A version from the future: nothing stored, the current is the course's original at version 0.
    const future = await save(agent, cell(1).id, { code: 'y', original: cell(1).original, baseVersion: 7 });
    expect(future.statusCode).toBe(409);
    expect(future.json().current).toEqual({
      code: cell(1).original,
      original: cell(1).original,
      version: 0,
      updatedAt: null,
    });
    expect((await agent.get(work())).json().cells.find((c: { cellId: string }) => c.cellId === id).code).toBe(
      'tab A again',
    );
  });

  it('lets exactly one of several concurrent saves from the same version win', async () => {
    const { agent } = await learner('race@example.org');
    const { id, original } = cell(0);
    const csrf = (await agent.session()).csrf!;
    const burst = (baseVersion: number) =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          agent.json('PUT', cellUrl(id), { code: `writer ${baseVersion}.${i}`, original, baseVersion }, { csrf }),
        ),
      );
    for (const base of [0, 1, 2]) {
      const results = await burst(base);
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      const winner = results.find((r) => r.statusCode === 200)!;
      expect(winner.json().version).toBe(base + 1);
      for (const loser of results.filter((r) => r.statusCode === 409)) {
        expect(loser.json().current.version).toBe(base + 1);
      }
    }
    const history = (await agent.get(`${cellUrl(id)}/history`)).json().versions;
    expect(history.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('keeps earlier versions as history, newest first, for undoing a reset; bounded to 50', async () => {
    const { agent } = await learner('history@example.org');
    const { id, original } = cell(0);
    expect((await agent.get(`${cellUrl(id)}/history`)).json()).toEqual({ versions: [] });
    for (let v = 0; v < 3; v++) {
      now = new Date(now.getTime() + 1000);
      expect((await save(agent, id, { code: `attempt ${v + 1}`, original, baseVersion: v })).statusCode).toBe(200);
    }
    // Reset to the original is a save; undoing it takes the newest entry of the history.
    await save(agent, id, { code: original, original, baseVersion: 3 });
    const res = await agent.get(`${cellUrl(id)}/history`);
    expect(res.headers['cache-control']).toBe('no-store');
    const { versions } = res.json();
    expect(versions.map((v: { version: number; code: string }) => [v.version, v.code])).toEqual([
      [3, 'attempt 3'],
      [2, 'attempt 2'],
      [1, 'attempt 1'],
    ]);
    expect(versions[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (let v = 4; v < 60; v++) await save(agent, id, { code: `attempt ${v + 1}`, original, baseVersion: v });
    const long = (await agent.get(`${cellUrl(id)}/history`)).json().versions;
    expect(long).toHaveLength(50);
    expect(long[0]).toMatchObject({ version: 59, code: 'attempt 59' });
    expect(long.at(-1).version).toBe(10);
    expect((await agent.get(`${cellUrl('no-such-cell')}/history`)).json()).toEqual({ versions: [] });
  });

  it('refuses writes without the CSRF token (403), or from another site', async () => {
    const { agent } = await learner('csrf@example.org');
    const body = { code: 'x', original: cell(0).original, baseVersion: 0 };
    const none = await agent.json('PUT', cellUrl(cell(0).id), body);
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toBe('CSRF_FAILED');
    expect(
      (await agent.json('PUT', cellUrl(cell(0).id), body, { csrf: 'forged-token-value-0123456789' })).statusCode,
    ).toBe(403);
    const crossSite = await agent.json('PUT', cellUrl(cell(0).id), body, {
      csrf: true,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(403);
    const progress = await agent.json('PUT', `/api/progress/demo/${NOTEBOOK}`, { state: 'done', reason: 'button' });
    expect(progress.statusCode).toBe(403);
    // Nothing was written.
    expect((await agent.get(work())).json().cells).toEqual([]);
  });

  it('refuses code over 256 KiB (413, saying the limit is per cell) and malformed saves (400)', async () => {
    const { agent } = await learner('large@example.org');
    const { id, original } = cell(0);
    const limit = 256 * 1024;
    const fits = await save(agent, id, { code: 'a'.repeat(limit), original, baseVersion: 0 });
    expect(fits.statusCode).toBe(200);
    const over = await save(agent, id, { code: 'é'.repeat(limit / 2 + 1), original, baseVersion: 1 });
    expect(over.statusCode).toBe(413);
    expect(over.json()).toMatchObject({ error: 'CELL_TOO_LARGE' });
    expect(over.json().message).toContain('une cellule peut contenir 256 Kio de code au plus');
    const english = await agent.json(
      'PUT',
      cellUrl(id),
      { code: 'a'.repeat(limit + 1), original, baseVersion: 1 },
      { csrf: true, headers: { 'accept-language': 'en' } },
    );
    expect(english.json().message).toContain('one cell may hold at most 256 KiB of code');
    // Over the route's body limit: the parser refuses it, and the message says that limit.
    const huge = await save(agent, id, { code: 'a'.repeat(4 * 1024 * 1024), original, baseVersion: 1 });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    expect(huge.json().message).toContain('3072 Kio au plus');
    expect(huge.json().message).not.toMatch(/par cellule|256/);
    const originalTooLong = await save(agent, id, { code: 'x', original: 'o'.repeat(1024 * 1024 + 1), baseVersion: 1 });
    expect(originalTooLong.json()).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    expect(originalTooLong.json().message).toContain('1024 Kio au plus');
    // A form over its parser's limit (256 KiB) says that one.
    const form = await agent.post('/account/profile', { name: 'n'.repeat(300 * 1024) }, { tokenFrom: '/account' });
    expect(form.statusCode).toBe(413);
    expect(form.body).toContain('256 Kio au plus');
    for (const bad of [
      { code: 1, original, baseVersion: 1 },
      { code: 'x', baseVersion: 1 },
      { code: 'x', original, baseVersion: -1 },
    ]) {
      const res = await save(agent, id, bad);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('BAD_REQUEST');
    }
    expect((await agent.get(work())).json().cells[0].version).toBe(1);
  });

  it('refuses a submission over 512 KiB of code in all (413), saying the limit is for its cells together', async () => {
    const { agent } = await learner('big-submission@example.org');
    // Each cell is far below a cell's limit: only their sum is over.
    const cells = Array.from({ length: 5 }, () => 'x = 1\n'.repeat(20 * 1024));
    const body = { slug: 'demo', route: NOTEBOOK, module: 'corrections.exo_duree', exercise: 'exo_duree' };
    const res = await agent.json(
      'POST',
      '/api/submissions',
      { ...body, cells, browser: { ok: true, passed: 1, total: 1 } },
      { csrf: true },
    );
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'SUBMISSION_TOO_LARGE' });
    expect(res.json().message).toContain(
      'les cellules d’une soumission peuvent contenir ensemble 512 Kio de code au plus',
    );
    expect(res.json().message).not.toContain('par cellule');
  });

  it('throttles a runaway page (429 with Retry-After) without losing what was accepted', async () => {
    const limited = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir, savesPerSecond: '5' }),
      db: t.db,
      logger: false,
      clock: () => now,
    });
    try {
      const user = await createUser(t.db, 'runaway@example.org');
      const agent = new Agent(limited);
      await agent.login(user.email, user.password);
      const { id, original } = cell(0);
      const statuses: number[] = [];
      let version = 0;
      let last = await agent.json('PUT', cellUrl(id), { code: 'v0', original, baseVersion: 0 }, { csrf: true });
      for (let i = 0; i < 15; i++) {
        statuses.push(last.statusCode);
        if (last.statusCode === 200) version = last.json().version;
        last = await agent.json(
          'PUT',
          cellUrl(id),
          { code: `v${i + 1}`, original, baseVersion: version },
          { csrf: true },
        );
      }
      // A burst of twice the rate passes, then the clock (frozen here) must move on.
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(last.statusCode).toBe(429);
      expect(last.json().error).toBe('TOO_MANY_SAVES');
      expect(last.headers['retry-after']).toBe('1');
      const saved = (await agent.get(work())).json().cells[0];
      expect(saved.version).toBe(10);
      now = new Date(now.getTime() + 2000);
      expect(
        (await agent.json('PUT', cellUrl(id), { code: 'later', original, baseVersion: 10 }, { csrf: true })).statusCode,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("never shows or changes another learner's work", async () => {
    const a = await learner('alice@example.org');
    const b = await learner('bob@example.org');
    const { id, original } = cell(0);
    await save(a.agent, id, { code: 'secret of alice', original, baseVersion: 0 });
    await save(a.agent, id, { code: 'secret of alice, v2', original, baseVersion: 1 });

    // Bob reads the same notebook: only his own (empty) work.
    const bobView = await b.agent.get(work());
    expect(bobView.json().cells).toEqual([]);
    expect(bobView.body).not.toContain('alice');
    // Bob writes with Alice's version number: a conflict about his own (absent) row, no leak.
    const guess = await save(b.agent, id, { code: 'bob overwrites', original, baseVersion: 2 });
    expect(guess.statusCode).toBe(409);
    expect(guess.body).not.toContain('alice');
    // Bob's history of the cell, his download, and ids in the query string: still only his.
    expect((await b.agent.get(`${cellUrl(id)}/history`)).json()).toEqual({ versions: [] });
    expect((await b.agent.get(`${work()}?userId=${a.user.id}&user=${a.user.id}`)).json().cells).toEqual([]);
    const download = await b.agent.get(`${work()}/download?format=ipynb&userId=${a.user.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.body).not.toContain('alice');
    // Bob's first save creates his own row; Alice's is untouched.
    expect((await save(b.agent, id, { code: 'bob code', original, baseVersion: 0 })).json().version).toBe(1);
    const aliceView = (await a.agent.get(work())).json().cells;
    expect(aliceView).toEqual([expect.objectContaining({ cellId: id, code: 'secret of alice, v2', version: 2 })]);
    // Bob's session token does not work in Alice's cookie jar, nor the reverse.
    const bobToken = (await b.agent.session()).csrf!;
    expect((await save(a.agent, id, { code: 'x', original, baseVersion: 2 })).statusCode).toBe(200);
    const crossed = await a.agent.json('PUT', cellUrl(id), { code: 'y', original, baseVersion: 3 }, { csrf: bobToken });
    expect(crossed.statusCode).toBe(403);
    // Bob's export has his code, not Alice's.
    const exported = (await b.agent.get('/account/export')).body;
    expect(exported).toContain('bob code');
    expect(exported).not.toContain('alice');
  });

  it('downloads the notebook with my code, as nbformat 4.5 and as MyST', async () => {
    const { agent } = await learner('download@example.org');
    const { id, original } = cell(1);
    await save(agent, id, { code: 'mon_code = "à moi"\nprint(mon_code)', original, baseVersion: 0 });

    const ipynb = await agent.get(`${work()}/download?format=ipynb`);
    expect(ipynb.statusCode).toBe(200);
    expect(ipynb.headers['content-disposition']).toMatch(/^attachment; filename="w1-s1-c1-nombres\.ipynb"/);
    expect(ipynb.headers['content-type']).toMatch(/^application\/x-ipynb\+json/);
    const nb = JSON.parse(ipynb.body);
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.metadata.kernelspec.name).toBe('python3');
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
    expect(code).toHaveLength(cells.get(NOTEBOOK)!.length);
    for (const c of nb.cells) expect(c.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const mine = code.find((c: { id: string }) => c.id === id);
    expect(mine.source.join('')).toBe('mon_code = "à moi"\nprint(mon_code)');
    expect(mine.outputs).toEqual([]);
    // Cells I did not touch keep the course's code.
    expect(code.find((c: { id: string }) => c.id === cell(0).id).source.join('')).toBe(cell(0).original);

    const myst = await agent.get(`${work()}/download?format=myst`);
    expect(myst.statusCode).toBe(200);
    expect(myst.headers['content-disposition']).toMatch(/^attachment; filename="w1-s1-c1-nombres\.md"/);
    expect(myst.body).toMatch(/^---\njupytext:/);
    expect(myst.body).toMatch(/```\{code-cell\} ipython3\n(:.*\n\n)?mon_code = "à moi"\nprint\(mon_code\)\n```/);
    const reparsed = parseMystNotebook(myst.body, 'w1-s1-c1-nombres.md').value!;
    const reparsedCode = reparsed.cells.filter((c) => c.type === 'code');
    expect(reparsedCode.map((c) => c.source)).toEqual(
      cells.get(NOTEBOOK)!.map(([cellId, source]) => (cellId === id ? 'mon_code = "à moi"\nprint(mon_code)' : source)),
    );

    // An .ipynb notebook of the course: its own cell ids, my code in place.
    const ipynbCell = cell(0, IPYNB);
    await save(agent, ipynbCell.id, { code: 'd = {"a": 1}', original: ipynbCell.original, baseVersion: 0 }, IPYNB);
    const fromIpynb = JSON.parse((await agent.get(`${work(IPYNB)}/download?format=ipynb`)).body);
    const saved = fromIpynb.cells.find((c: { id: string }) => c.id === ipynbCell.id);
    expect(saved.source.join('')).toBe('d = {"a": 1}');
    expect((await agent.get(`${work(IPYNB)}/download?format=myst`)).body).toContain('d = {"a": 1}');

    expect((await agent.get(`${work()}/download?format=pdf`)).statusCode).toBe(400);
  });

  it('deletes saved work, its history and progress with the account, and exports them before', async () => {
    const { user, agent } = await learner('leaving@example.org');
    const { id, original } = cell(0);
    await save(agent, id, { code: 'to be exported', original, baseVersion: 0 });
    await save(agent, id, { code: 'to be exported, v2', original, baseVersion: 1 });
    await agent.json('PUT', `/api/progress/demo/${NOTEBOOK}`, { state: 'done', reason: 'button' }, { csrf: true });
    const exported = JSON.parse((await agent.get('/account/export')).body);
    expect(exported.saved_work).toEqual([
      expect.objectContaining({ course: 'demo', route: NOTEBOOK, cell_id: id, code: 'to be exported, v2', version: 2 }),
    ]);
    expect(exported.saved_work_history.map((h: { code: string }) => h.code)).toEqual([
      'to be exported',
      'to be exported, v2',
    ]);
    expect(exported.progress).toEqual([
      expect.objectContaining({ course: 'demo', route: NOTEBOOK, source: 'reading', state: 'done' }),
    ]);

    const gone = await agent.post('/account/delete', { confirm_password: user.password }, { tokenFrom: '/account' });
    expect(gone.statusCode).toBe(200);
    expect(gone.body).toContain('Compte supprimé');
    const count = async (table: 'saved_cells' | 'item_progress') =>
      Number(
        (
          await t.db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('user_id', '=', user.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('saved_cells')).toBe(0);
    expect(await count('item_progress')).toBe(0);
    const orphans = await t.db.kysely
      .selectFrom('saved_cell_versions')
      .leftJoin('saved_cells', 'saved_cells.id', 'saved_cell_versions.saved_cell_id')
      .select('saved_cell_versions.version')
      .where('saved_cells.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
  });
});
