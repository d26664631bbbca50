import { inflateRawSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectOptionalItemByRoute } from '../src/models/course-items.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { approveTeacher } from '../src/models/teachers.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const YEAR = '2026-2027';

/** The entries of a zip archive (deflated, as lib/zip.ts writes them). */
function unzip(data: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  let at = 0;
  while (data.readUInt32LE(at) === 0x04034b50) {
    const size = data.readUInt32LE(at + 18);
    const nameLength = data.readUInt16LE(at + 26);
    const extra = data.readUInt16LE(at + 28);
    const name = data.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const start = at + 30 + nameLength + extra;
    files.set(name, inflateRawSync(data.subarray(start, start + size)).toString('utf8'));
    at = start + size;
  }
  return files;
}

describe.each(DIALECTS)('activities on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let now = new Date('2026-10-01T08:00:00Z');
  let users = 0;
  let cells: string[] = [];

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const config = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false', savesPerSecond: '100000' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const item = (await selectOptionalItemByRoute(t.db.kysely, live.id, NOTEBOOK))!;
    cells = (JSON.parse(item.meta) as { codeCells: { id: string }[] }).codeCells.map((c) => c.id);
    expect(cells.length).toBeGreaterThan(1);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function person(name?: string) {
    const n = ++users;
    const user = await createUser(t.db, `a${n}@example.org`, { name: name ?? `Person ${n}` });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }

  async function teacher() {
    const made = await person();
    await approveTeacher(t.db.kysely, made.user.id, null, now);
    return made;
  }

  /** A class with two pupils who joined with its code (named so that Alice comes first). */
  async function classWithPupils(agent: Agent) {
    const res = await agent.post(
      '/teach/classes',
      { name: 'NSI 1', school_year: YEAR, level: 'premiere' },
      { tokenFrom: '/teach' },
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    const classId = Number(/\/teach\/classes\/(\d+)/.exec(String(res.headers['location']))![1]);
    const page = (await agent.get(`/teach/classes/${classId}`)).body;
    const code = /class="join-code">[\s\S]*?<code>([A-Z0-9]{6})<\/code>/.exec(page)![1]!;
    const zoe = await person('Zoé Martin');
    const alice = await person('Alice Durand');
    for (const p of [zoe, alice]) {
      expect((await p.agent.post(`/join/${code}`, {}, { tokenFrom: `/join/${code}` })).statusCode).toBe(303);
    }
    return { classId, zoe, alice };
  }

  async function assign(agent: Agent, classId: number, fields: Record<string, string>) {
    return agent.post(
      `/teach/classes/${classId}/activities`,
      {
        course: 'demo',
        route: NOTEBOOK,
        title: '',
        opens: '2026-10-01T09:00',
        closes: '2026-10-08T18:00',
        mode: 'hand-in',
        ...fields,
      },
      { tokenFrom: `/teach/classes/${classId}/activities/new?course=demo` },
    );
  }

  async function newActivity(agent: Agent, classId: number, fields: Record<string, string> = {}) {
    const res = await assign(agent, classId, fields);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    return Number(/\/teach\/activities\/(\d+)/.exec(String(res.headers['location']))![1]);
  }

  const save = (agent: Agent, id: number, cellId: string, code: string, baseVersion = 0) =>
    agent.json(
      'PUT',
      `/api/activities/${id}/work/cells/${encodeURIComponent(cellId)}`,
      { code, original: 'x', baseVersion },
      { csrf: true },
    );

  it('assigns a notebook through the forms, lists it, edits and deletes it; refuses wrong input', async () => {
    const { agent } = await teacher();
    const { classId } = await classWithPupils(agent);
    const form = await agent.get(`/teach/classes/${classId}/activities/new?course=demo`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${NOTEBOOK}"`);
    expect((await assign(agent, classId, { closes: '2026-09-01T10:00' })).statusCode).toBe(400);
    expect((await assign(agent, classId, { route: 'w1/nothing' })).statusCode).toBe(400);
    expect((await assign(agent, classId, { mode: 'whatever' })).statusCode).toBe(400);
    const id = await newActivity(agent, classId);
    const classPage = (await agent.get(`/teach/classes/${classId}`)).body;
    expect(classPage).toContain(`href="/teach/activities/${id}"`);
    // The title defaults to the item's.
    expect(classPage).toMatch(/Les nombres|nombres/i);
    const edit = await agent.post(
      `/teach/activities/${id}/edit`,
      { title: 'TP 1', opens: '2026-10-01T09:00', closes: '2026-10-09T18:00', mode: 'open' },
      { tokenFrom: `/teach/activities/${id}/edit` },
    );
    expect(edit.statusCode).toBe(303);
    expect((await agent.get(`/teach/activities/${id}`)).body).toContain('TP 1');
    expect(
      (
        await agent.post(
          `/teach/activities/${id}/delete`,
          { confirm: '1' },
          { tokenFrom: `/teach/activities/${id}/edit` },
        )
      ).statusCode,
    ).toBe(303);
    expect((await agent.get(`/teach/activities/${id}`)).statusCode).toBe(404);
  });

  it('keeps a pupil’s copy apart from their MOOC work, and applies the hand-in mode around the closing date', async () => {
    now = new Date('2026-10-01T08:00:00Z');
    const { agent } = await teacher();
    const { classId, zoe, alice } = await classWithPupils(agent);
    const id = await newActivity(agent, classId, { mode: 'hand-in' });
    // Before opening (09:00 Paris = 07:00Z... now is 08:00Z = 10:00 Paris): open already; move back.
    now = new Date('2026-10-01T06:00:00Z');
    expect((await zoe.agent.get(`/activities/${id}`)).statusCode).toBe(404);
    expect((await zoe.agent.get('/me')).body).toContain('ouvre le');
    expect((await zoe.agent.get('/me')).body).not.toContain(`href="/activities/${id}"`);
    now = new Date('2026-10-02T08:00:00Z');
    const page = await zoe.agent.get(`/activities/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/api/activities/${id}/work`);
    expect((await zoe.agent.get('/me')).body).toContain(`href="/activities/${id}"`);
    expect((await save(zoe.agent, id, cells[0]!, 'print("copie")')).statusCode).toBe(200);
    // The MOOC's saved work of the same notebook is untouched.
    const mooc = await zoe.agent.get(`/api/work/demo/${NOTEBOOK}`);
    expect(JSON.stringify(mooc.json().cells)).not.toContain('copie');
    const copy = (await zoe.agent.get(`/api/activities/${id}/work`)).json() as {
      cells: { code: string }[];
      readOnly: boolean;
    };
    expect(copy.cells.map((c) => c.code)).toEqual(['print("copie")']);
    expect(copy.readOnly).toBe(false);
    expect((await agent.get(`/teach/activities/${id}`)).body).toContain(`data-pupil="${zoe.user.id}"`);
    // A pupil cannot read another pupil's copy (there are no ids of pupils in their URLs), nor a
    // teacher's pages; a stranger cannot read the activity at all.
    expect(JSON.stringify((await alice.agent.get(`/api/activities/${id}/work`)).json())).not.toContain('copie');
    expect((await alice.agent.get(`/teach/activities/${id}/pupils/${zoe.user.id}`)).statusCode).toBe(404);
    const stranger = await person();
    expect((await stranger.agent.get(`/activities/${id}`)).statusCode).toBe(404);
    expect((await stranger.agent.get(`/api/activities/${id}/work`)).statusCode).toBe(404);
    // After the closing date: read-only, saves refused.
    now = new Date('2026-10-08T17:00:00Z'); // 19:00 in Paris, an hour past closing
    const closed = await zoe.agent.get(`/activities/${id}`);
    expect(closed.statusCode).toBe(200);
    expect(closed.body).not.toContain(`/api/activities/${id}/work`);
    expect(closed.body).toContain('print(\\"copie\\")');
    expect((await save(zoe.agent, id, cells[1]!, 'late')).statusCode).toBe(409);
    const table = (await agent.get(`/teach/activities/${id}/table`)).json() as {
      rows: { pupil: number; state: string }[];
    };
    expect(table.rows.map((r) => [r.pupil, r.state])).toEqual([
      [alice.user.id, 'late'], // she opened her (empty) copy above
      [zoe.user.id, 'late'],
    ]);
  });

  it('open mode edits after closing; locked mode hides the activity after closing', async () => {
    now = new Date('2026-10-02T08:00:00Z');
    const { agent } = await teacher();
    const { classId, zoe } = await classWithPupils(agent);
    const open = await newActivity(agent, classId, { mode: 'open' });
    const locked = await newActivity(agent, classId, { mode: 'locked' });
    expect((await zoe.agent.get(`/activities/${locked}`)).statusCode).toBe(200);
    expect((await save(zoe.agent, locked, cells[0]!, 'a')).statusCode).toBe(200);
    now = new Date('2026-10-08T15:59:00Z');
    expect((await save(zoe.agent, locked, cells[0]!, 'b', 1)).statusCode).toBe(200);
    now = new Date('2026-10-08T16:01:00Z'); // 18:01 in Paris
    expect((await zoe.agent.get(`/activities/${locked}`)).statusCode).toBe(404);
    expect((await save(zoe.agent, locked, cells[0]!, 'c', 2)).statusCode).toBe(404);
    expect((await zoe.agent.get(`/activities/${open}`)).statusCode).toBe(200);
    expect((await save(zoe.agent, open, cells[0]!, 'after')).statusCode).toBe(200);
    // The teacher still sees the locked one's copy.
    expect((await agent.get(`/teach/activities/${locked}/pupils/${zoe.user.id}`)).body).toContain('"code":"b"');
  });

  it('hands in early (read-only), the teacher reopens; comments and a mark reach only their pupil', async () => {
    now = new Date('2026-10-02T08:00:00Z');
    const { agent } = await teacher();
    const { classId, zoe, alice } = await classWithPupils(agent);
    const id = await newActivity(agent, classId, { mode: 'hand-in', title: 'TP rendu' });
    await zoe.agent.get(`/activities/${id}`);
    await save(zoe.agent, id, cells[0]!, 'x = 1');
    // CSRF: a hand-in without the token is refused.
    expect((await zoe.agent.post(`/activities/${id}/hand-in`, { _csrf: 'forged' })).statusCode).toBe(403);
    const handed = await zoe.agent.post(`/activities/${id}/hand-in`, {}, { tokenFrom: `/activities/${id}` });
    expect(handed.statusCode).toBe(303);
    expect((await save(zoe.agent, id, cells[0]!, 'x = 2', 1)).statusCode).toBe(409);
    expect((await zoe.agent.get(`/activities/${id}`)).body).toContain('lecture seule');
    let table = (await agent.get(`/teach/activities/${id}/table`)).json() as {
      rows: { pupil: number; state: string }[];
    };
    expect(table.rows.find((r) => r.pupil === zoe.user.id)!.state).toBe('handed-in');
    const review = `/teach/activities/${id}/pupils/${zoe.user.id}`;
    const reviewPage = await agent.get(review);
    expect(reviewPage.statusCode).toBe(200);
    expect(reviewPage.body).toContain('x = 1');
    expect(reviewPage.body).not.toContain(`/api/activities/${id}/work`);
    // CSRF on the teacher's forms.
    for (const path of ['comments', 'mark', 'reopen']) {
      expect((await agent.post(`${review}/${path}`, { _csrf: 'forged', cell: cells[0]!, body: 'x' })).statusCode).toBe(
        403,
      );
    }
    expect(
      (
        await agent.post(
          `${review}/comments`,
          { cell: cells[0]!, body: 'Bien, mais nomme mieux x.' },
          { tokenFrom: review },
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (await agent.post(`${review}/mark`, { mark: '16/20', feedback: 'Très bon travail' }, { tokenFrom: review }))
        .statusCode,
    ).toBe(303);
    const mine = (await zoe.agent.get(`/activities/${id}`)).body;
    expect(mine).toContain('Bien, mais nomme mieux x.');
    expect(mine).toContain('16/20');
    expect(mine).toContain('Très bon travail');
    const hers = (await alice.agent.get(`/activities/${id}`)).body;
    expect(hers).not.toContain('nomme mieux');
    expect(hers).not.toContain('16/20');
    expect((await zoe.agent.get('/me')).body).toContain('16/20');
    // Reopened: editable again.
    expect((await agent.post(`${review}/reopen`, {}, { tokenFrom: review })).statusCode).toBe(303);
    expect((await save(zoe.agent, id, cells[0]!, 'x = 2', 1)).statusCode).toBe(200);
    table = (await agent.get(`/teach/activities/${id}/table`)).json() as { rows: { pupil: number; state: string }[] };
    expect(table.rows.find((r) => r.pupil === zoe.user.id)!.state).toBe('in-progress');

    // Another teacher: every page, copy and export of this activity is a 404.
    const other = await teacher();
    for (const url of [
      `/teach/activities/${id}`,
      `/teach/activities/${id}/table`,
      `/teach/activities/${id}/edit`,
      review,
      `/teach/activities/${id}/marks.csv`,
      `/teach/activities/${id}/notebooks.zip`,
      `/teach/classes/${classId}/activities/new`,
    ]) {
      expect((await other.agent.get(url)).statusCode, url).toBe(404);
    }
    for (const path of ['comments', 'mark', 'reopen']) {
      expect(
        (
          await other.agent.post(
            `${review}/${path}`,
            { cell: cells[0]!, body: 'x', mark: '0' },
            { tokenFrom: '/teach' },
          )
        ).statusCode,
      ).toBe(404);
    }
    expect(
      (await other.agent.post(`/teach/activities/${id}/delete`, { confirm: '1' }, { tokenFrom: '/teach' })).statusCode,
    ).toBe(404);
    expect((await assign(other.agent, classId, {})).statusCode).toBe(404);
    // A pupil of the class is nobody on the teacher's pages either.
    expect((await zoe.agent.get(`/teach/activities/${id}/marks.csv`)).statusCode).toBe(404);

    // Exports: marks in class-list order, notebooks with each pupil's code.
    const csv = await agent.get(`/teach/activities/${id}/marks.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^Alice Durand,en cours,,,/);
    expect(lines[2]).toMatch(/^Zoé Martin,en cours,16\/20,Très bon travail/);
    const zip = await agent.get(`/teach/activities/${id}/notebooks.zip`);
    expect(zip.statusCode).toBe(200);
    const files = unzip(zip.rawPayload);
    expect([...files.keys()]).toEqual([`1-Alice-Durand-w1-s1-c1-nombres.ipynb`, `2-Zoé-Martin-w1-s1-c1-nombres.ipynb`]);
    const notebook = JSON.parse(files.get(`2-Zoé-Martin-w1-s1-c1-nombres.ipynb`)!) as {
      cells: { source: string | string[] }[];
    };
    expect(JSON.stringify(notebook.cells)).toContain('x = 2');
    expect(JSON.stringify(JSON.parse(files.get(`1-Alice-Durand-w1-s1-c1-nombres.ipynb`)!))).not.toContain('x = 2');
  });

  it('shows a pupil’s save in the live table within 2 s, and a quiz activity’s scores', async () => {
    now = new Date('2026-10-02T08:00:00Z');
    const { agent } = await teacher();
    const { classId, alice } = await classWithPupils(agent);
    const id = await newActivity(agent, classId, { mode: 'open' });
    const before = (await agent.get(`/teach/activities/${id}/table`)).json() as { html: string };
    const started = Date.now();
    await alice.agent.get(`/activities/${id}`);
    await save(alice.agent, id, cells[0]!, 'y = 3');
    const after = await agent.get(`/teach/activities/${id}/table`);
    expect(after.headers['cache-control']).toBe('no-store');
    const body = after.json() as { html: string; rows: { pupil: number; state: string; lastActivity: string }[] };
    expect(Date.now() - started).toBeLessThan(2000);
    expect(body.html).not.toBe(before.html);
    expect(body.rows.find((r) => r.pupil === alice.user.id)).toMatchObject({
      state: 'in-progress',
      lastActivity: now.toISOString(),
    });
    const quiz = await newActivity(agent, classId, { route: QUIZ, mode: 'hand-in' });
    const page = await alice.agent.get(`/activities/${quiz}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/courses/demo/${QUIZ}"`);
    expect((await agent.get(`/teach/activities/${quiz}`)).body).toContain('Score au quiz');
  });

  it('deletes a class’s activities, copies and comments with the class', async () => {
    now = new Date('2026-10-02T08:00:00Z');
    const { agent } = await teacher();
    const { classId, zoe } = await classWithPupils(agent);
    const id = await newActivity(agent, classId, { mode: 'open' });
    await save(zoe.agent, id, cells[0]!, 'z');
    const review = `/teach/activities/${id}/pupils/${zoe.user.id}`;
    await agent.post(`${review}/comments`, { cell: cells[0]!, body: 'ok' }, { tokenFrom: review });
    const res = await agent.post(
      `/teach/classes/${classId}/delete`,
      { confirm_name: 'NSI 1' },
      { tokenFrom: `/teach/classes/${classId}/delete` },
    );
    expect(res.statusCode).toBe(303);
    for (const table of ['activities', 'activity_pupils', 'activity_cells', 'activity_comments'] as const) {
      const rows = await t.db.kysely
        .selectFrom(table)
        .select('activity_id' as never)
        .where('activity_id' as never, '=', id as never)
        .execute()
        .catch(async () => t.db.kysely.selectFrom('activities').select('id').where('id', '=', id).execute());
      expect(rows, table).toEqual([]);
    }
    expect((await zoe.agent.get(`/activities/${id}`)).statusCode).toBe(404);
  });
});
