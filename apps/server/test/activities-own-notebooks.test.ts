// A teacher's own notebook as an activity (issue 14, ADR 051 and 052): offered in the activity
// form, pinned like a catalogue item; the private-course gate lets in exactly what the activity
// needs (its pupils, its class's teachers) and nothing else; exercises sealed at upload graded
// for pupils in the real sandbox, at the activity's pinned version — for catalogue items too.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { activityAllows, activityNeed } from '../src/lib/activities/course-reader.ts';
import { registerGradeExercise } from '../src/lib/grading/grade-job.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { zipFiles } from '../src/lib/zip.ts';
import { ensureClassTeacher } from '../src/models/classes.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectTeacherNotebooks } from '../src/models/teacher-notebooks.ts';
import { approveTeacher } from '../src/models/teachers.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, notebook } from './fixtures.ts';

const YEAR = '2026-2027';
const MODULE = 'corrections.exo_duree';
const IMPORT = 'from corrections.exo_duree import exo_duree';
const RIGHT = [
  'def duree(secondes):',
  '    h, reste = divmod(secondes, 3600)',
  '    m, s = divmod(reste, 60)',
  '    return f"{h:02}:{m:02}:{s:02}"',
].join('\n');
const WRONG = 'def duree(secondes):\n    return f"{secondes // 3600}:{secondes % 3600 // 60}:{secondes % 60}"';
const CORRECTION = 'exo_duree.correction(duree)';
const CATALOGUE_ROUTE = 'w1/w1-s3-x1-duree';

const EXERCISE_NOTEBOOK = readFileSync(join(DEMO_COURSE, 'w1/w1-s3-x1-duree.md'));
const EXERCISE_ZIP = zipFiles([
  { path: 'modules/corrections/__init__.py', data: Buffer.alloc(0) },
  {
    path: 'modules/corrections/exo_duree.py',
    data: readFileSync(join(DEMO_COURSE, 'modules/corrections/exo_duree.py')),
  },
]);

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

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
}, 60_000);

describe('the private-course reader (unit)', () => {
  const row = {
    id: 7,
    route: 'w1/w1-s1-c1-notebook',
    tag: 'v1',
    opens_at: '2026-10-01T07:00:00.000Z',
    closes_at: '2026-10-08T16:00:00.000Z',
    mode: 'hand-in' as const,
    role: 'pupil' as const,
    handed_in_at: null,
  };
  const at = new Date('2026-10-02T08:00:00Z');
  const need = (method: string, url: string, body?: unknown) => activityNeed({ method, url, query: {}, body });

  it('names only the runtime, course files and the activity-mode submission APIs', () => {
    expect(need('GET', '/runtime/nb-x/v1/files.json')).toEqual({ kind: 'read', tag: 'v1' });
    expect(need('GET', '/files/nb-x/v1/w1/data.csv')).toEqual({ kind: 'read', tag: 'v1' });
    expect(need('POST', '/api/submissions', { activity: 7, route: 'w1/w1-s1-c1-notebook.md' })).toEqual({
      kind: 'submit',
      activity: 7,
      route: 'w1/w1-s1-c1-notebook',
    });
    for (const [method, url] of [
      ['GET', '/courses/nb-x'],
      ['GET', '/courses/nb-x/w1/w1-s1-c1-notebook'],
      ['GET', '/courses/nb-x/forum'],
      ['GET', '/runtime/nb-x/v1/other.zip'],
      ['PUT', '/api/work/nb-x/w1/w1-s1-c1-notebook/cells/c1'],
      ['GET', '/api/progress/nb-x/w1'],
      ['POST', '/files/nb-x/v1/a.csv'],
      ['GET', '/manage/courses/nb-x'],
    ] as const) {
      expect(need(method, url), url).toBeNull();
    }
  });

  it('allows by role, tag, activity, route and the copy’s access', () => {
    const read = { kind: 'read', tag: 'v1' } as const;
    const submit = { kind: 'submit', activity: 7, route: row.route } as const;
    expect(activityAllows([row], read, at)).toBe(true);
    expect(activityAllows([row], { kind: 'read', tag: 'v2' }, at)).toBe(false);
    expect(activityAllows([row], submit, at)).toBe(true);
    expect(activityAllows([row], { ...submit, activity: 8 }, at)).toBe(false);
    expect(activityAllows([row], { ...submit, activity: null }, at)).toBe(false);
    expect(activityAllows([row], { ...submit, route: 'w1/other' }, at)).toBe(false);
    // Before opening: nothing; handed in: read, no submission; after closing in locked mode: nothing.
    expect(activityAllows([row], read, new Date('2026-09-30T08:00:00Z'))).toBe(false);
    expect(activityAllows([{ ...row, handed_in_at: at.toISOString() }], submit, at)).toBe(false);
    expect(activityAllows([{ ...row, handed_in_at: at.toISOString() }], read, at)).toBe(true);
    const late = new Date('2026-10-09T08:00:00Z');
    expect(activityAllows([row], read, late)).toBe(true);
    expect(activityAllows([row], submit, late)).toBe(false);
    expect(activityAllows([{ ...row, mode: 'locked' }], read, late)).toBe(false);
    // Teachers read the pinned files (reviewing copies), whatever the dates, and never submit.
    const teacher = { ...row, role: 'teacher' as const };
    expect(activityAllows([teacher], read, new Date('2026-09-30T08:00:00Z'))).toBe(true);
    expect(activityAllows([teacher], submit, at)).toBe(false);
  });
});

describe.each(DIALECTS)('own notebooks as activities on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  let users = 0;
  const now = new Date('2026-10-02T08:00:00Z');
  let copyDir = '';

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox });
    jobs = new DbJobQueue(t.db, { pollMs: 50, listenUrl: t.databaseUrl });
    registerGradeExercise(jobs, t.db.kysely, sandbox);
    const config = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false' });
    app = await buildApp({
      config,
      db: t.db,
      logger: false,
      jobs,
      clock: () => now,
      grading: { sandbox, unsafe: false, problem: undefined },
    });
    jobs.start();
    copyDir = mkdtempSync(join(tmpdir(), 'carnet-own-nb-'));
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
    rmSync(copyDir, { recursive: true, force: true });
  });

  async function person(name?: string) {
    const n = ++users;
    const user = await createUser(t.db, `o${n}-${dialect}@example.org`, { name: name ?? `Person ${n}` });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }
  async function teacher() {
    const made = await person();
    await approveTeacher(t.db.kysely, made.user.id, null, now);
    return made;
  }

  async function upload(agent: Agent, file: [string, Buffer | string], modules?: Buffer, url = '/teach/notebooks') {
    const page = await agent.get('/teach/notebooks');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const parts: Parameters<typeof multipart>[0] = [{ name: '_csrf', value: token }];
    parts.push({ name: 'notebook', filename: file[0], data: Buffer.from(file[1]) });
    if (modules) parts.push({ name: 'modules', filename: 'modules.zip', data: modules });
    const body = multipart(parts);
    const res = await app.inject({
      method: 'POST',
      remoteAddress: agent.ip,
      url,
      headers: {
        cookie: [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '),
        'content-type': body.contentType,
        'sec-fetch-site': 'same-origin',
      },
      payload: body.payload,
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
  }

  async function classWithPupils(agent: Agent, name = 'NSI 1') {
    const res = await agent.post(
      '/teach/classes',
      { name, school_year: YEAR, level: 'premiere' },
      { tokenFrom: '/teach' },
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    const classId = Number(/\/teach\/classes\/(\d+)/.exec(String(res.headers['location']))![1]);
    const page = (await agent.get(`/teach/classes/${classId}`)).body;
    const code = /class="join-code">[\s\S]*?<code>([A-Z0-9]{6})<\/code>/.exec(page)![1]!;
    const pupil = await person('Alice Durand');
    expect((await pupil.agent.post(`/join/${code}`, {}, { tokenFrom: `/join/${code}` })).statusCode).toBe(303);
    return { classId, pupil };
  }

  async function assign(agent: Agent, classId: number, course: string, route: string, mode = 'hand-in') {
    return agent.post(
      `/teach/classes/${classId}/activities`,
      { course, route, title: '', opens: '2026-10-01T09:00', closes: '2026-10-08T18:00', mode },
      { tokenFrom: `/teach/classes/${classId}/activities/new?course=${encodeURIComponent(course)}` },
    );
  }
  const activityOf = (res: { headers: Record<string, unknown> }) =>
    Number(/\/teach\/activities\/(\d+)/.exec(String(res.headers['location']))![1]);

  const activityRow = (id: number) =>
    t.db.kysely.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const tagOf = async (versionId: number) =>
    (
      await t.db.kysely
        .selectFrom('course_versions')
        .select('tag')
        .where('id', '=', versionId)
        .executeTakeFirstOrThrow()
    ).tag;

  const submission = (slug: string, route: string, cells: string[], activity?: number) => ({
    slug,
    route,
    module: MODULE,
    exercise: 'exo_duree',
    cells,
    browser: { ok: true, passed: 8, total: 8 },
    ...(activity !== undefined ? { activity } : {}),
  });
  async function settle(agent: Agent, id: number) {
    for (let i = 0; i < 300; i++) {
      const res = await agent.json('GET', `/api/submissions/${id}`);
      expect(res.statusCode).toBe(200);
      const json = res.json<{ status: string }>();
      if (json.status === 'done' || json.status === 'failed') return res.json<Record<string, unknown>>();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('grading did not finish');
  }
  const versionOfSubmission = async (id: number) =>
    (await t.db.kysely.selectFrom('submissions').select('version_id').where('id', '=', id).executeTakeFirstOrThrow())
      .version_id;

  /** A teacher with an uploaded exercise notebook, a class with a pupil and an activity on the notebook. */
  async function ownActivity(mode = 'hand-in') {
    const owner = await teacher();
    await upload(owner.agent, ['duree.md', EXERCISE_NOTEBOOK], EXERCISE_ZIP);
    const [nb] = await selectTeacherNotebooks(t.db.kysely, owner.user.id);
    const { classId, pupil } = await classWithPupils(owner.agent);
    const res = await assign(owner.agent, classId, nb!.slug, nb!.route, mode);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const id = activityOf(res);
    return { owner, nb: nb!, classId, pupil, id, tag: await tagOf(nb!.versionId) };
  }

  it('offers the teacher’s own notebooks in the form and pins the latest version; refuses another’s', async () => {
    const owner = await teacher();
    await upload(owner.agent, ['tp.md', notebook('Mon TP sur les listes')]);
    const [nb] = await selectTeacherNotebooks(t.db.kysely, owner.user.id);
    const { classId } = await classWithPupils(owner.agent);
    const form = await owner.agent.get(`/teach/classes/${classId}/activities/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<optgroup label="Mes notebooks">');
    expect(form.body).toContain(`value="${nb!.slug}"`);
    const chosen = await owner.agent.get(`/teach/classes/${classId}/activities/new?course=${nb!.slug}`);
    expect(chosen.body).toContain(`value="${nb!.route}"`);
    expect(chosen.body).toContain('Mon TP sur les listes');

    const res = await assign(owner.agent, classId, nb!.slug, nb!.route);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const activity = await activityRow(activityOf(res));
    expect(activity).toMatchObject({
      course_id: nb!.courseId,
      version_id: nb!.versionId,
      route: nb!.route,
      kind: 'notebook',
      title: 'Mon TP sur les listes',
    });

    // Another teacher's notebook is neither offered nor accepted (IDOR).
    const other = await teacher();
    const { classId: otherClass } = await classWithPupils(other.agent, 'Autre');
    expect((await other.agent.get(`/teach/classes/${otherClass}/activities/new`)).body).not.toContain(nb!.slug);
    const stolen = await assign(other.agent, otherClass, nb!.slug, nb!.route);
    expect(stolen.statusCode).toBe(400);
    expect(stolen.body).toContain('Choisissez un cours du catalogue ou un de vos notebooks.');
  });

  it('lets the activity’s pupils and co-teachers in, for what the activity needs only (IDOR)', async () => {
    const { owner, nb, classId, pupil, id, tag } = await ownActivity();
    const coTeacher = await teacher();
    await ensureClassTeacher(t.db.kysely, { classId, userId: coTeacher.user.id, addedBy: owner.user.id }, now);
    // A pupil of another class of the same teacher, another user, another teacher, a visitor.
    const { pupil: otherClassPupil } = await classWithPupils(owner.agent, 'NSI 2');
    const outsider = await person();
    const otherTeacher = await teacher();
    const visitor = new Agent(app);

    const runtime = [
      `/runtime/${nb.slug}/${tag}/files.json`,
      `/runtime/${nb.slug}/${tag}/modules.zip`,
      `/runtime/${nb.slug}/${tag}/exercises.zip`,
    ];
    const listing = JSON.parse((await owner.agent.get(runtime[0]!)).body) as { files: { path: string }[] };
    const files = listing.files.map((f) => `/files/${nb.slug}/${tag}/${f.path}`);
    const never = [
      `/courses/${nb.slug}`,
      `/courses/${nb.slug}/${nb.route}`,
      `/courses/${nb.slug}/progress`,
      `/courses/${nb.slug}/forum`,
      `/api/work/${nb.slug}/${nb.route}`,
      `/manage/courses/${nb.slug}`,
    ];
    const history = `/api/submissions?slug=${nb.slug}&route=${nb.route}&exercise=exo_duree`;

    expect((await pupil.agent.get(`/activities/${id}`)).statusCode).toBe(200);
    for (const url of [...runtime, ...files]) {
      expect((await pupil.agent.get(url)).statusCode, url).toBe(200);
      expect((await coTeacher.agent.get(url)).statusCode, url).toBe(200);
    }
    expect((await pupil.agent.get(`${history}&activity=${id}`)).statusCode).toBe(200);
    for (const url of never) {
      expect((await pupil.agent.get(url)).statusCode, url).toBe(404);
      expect((await coTeacher.agent.get(url)).statusCode, url).toBe(404);
    }
    // In activity mode only: without naming the activity, its history is not the pupil's to read.
    expect((await pupil.agent.get(history)).statusCode).toBe(404);
    expect((await pupil.agent.get(`${history}&activity=${id + 1000}`)).statusCode).toBe(404);
    const saved = await pupil.agent.json(
      'PUT',
      `/api/work/${nb.slug}/${nb.route}/cells/c1`,
      { code: 'x', original: 'x', baseVersion: 0 },
      { csrf: true },
    );
    expect(saved.statusCode).toBe(404);
    // The co-teacher follows the activity and opens the pupil's copy.
    expect((await coTeacher.agent.get(`/teach/activities/${id}`)).statusCode).toBe(200);
    expect((await coTeacher.agent.get(`/teach/activities/${id}/pupils/${pupil.user.id}`)).statusCode).toBe(200);

    for (const [who, agent] of [
      ['other class', otherClassPupil.agent],
      ['outsider', outsider.agent],
      ['other teacher', otherTeacher.agent],
      ['visitor', visitor],
    ] as const) {
      expect((await agent.get(`/activities/${id}`)).statusCode, who).toBe(who === 'visitor' ? 303 : 404);
      for (const url of [...runtime, ...files, ...never, `${history}&activity=${id}`]) {
        expect((await agent.get(url)).statusCode, `${who} ${url}`).toBe(404);
      }
      const posted = await agent.json('POST', '/api/submissions', submission(nb.slug, nb.route, [RIGHT], id), {
        csrf: who !== 'visitor',
      });
      // A visitor is refused as for any API write (401, whatever the course).
      expect(posted.statusCode, who).toBe(who === 'visitor' ? 401 : 404);
    }
    const submissions = await t.db.kysely.selectFrom('submissions').select('id').where('course_id', '=', nb.courseId);
    expect(await submissions.execute()).toEqual([]);
  });

  it('hides the notebook again outside the activity’s dates (locked mode past closing)', async () => {
    const { nb, pupil, id, tag } = await ownActivity('locked');
    const url = `/runtime/${nb.slug}/${tag}/files.json`;
    expect((await pupil.agent.get(url)).statusCode).toBe(200);
    await t.db.kysely
      .updateTable('activities')
      .set({ closes_at: '2026-10-01T12:00:00.000Z' })
      .where('id', '=', id)
      .execute();
    expect((await pupil.agent.get(url)).statusCode).toBe(404);
    expect((await pupil.agent.get(`/activities/${id}`)).statusCode).toBe(404);
  });

  it('grades a pupil’s exercises of the uploaded notebook at the pinned version; the teacher’s table shows them', async () => {
    const { owner, nb, pupil, id } = await ownActivity();
    const page = await pupil.agent.get(`/activities/${id}`);
    expect(page.body).toContain(`"activity":${id}`);

    const wrong = await pupil.agent.json(
      'POST',
      '/api/submissions',
      submission(nb.slug, nb.route, [IMPORT, WRONG, CORRECTION], id),
      { csrf: true },
    );
    expect(wrong.statusCode, wrong.body).toBe(202);
    expect(await settle(pupil.agent, wrong.json<{ id: number }>().id)).toMatchObject({
      status: 'done',
      verdict: { ok: false, total: 8 },
    });
    let table = await owner.agent.get(`/teach/activities/${id}/table`);
    expect(table.json<{ html: string }>().html).toContain('pas encore');

    // A new upload while the activity runs: a new live version without the exercise.
    await upload(
      owner.agent,
      ['duree.md', notebook('Une autre version, sans exercice')],
      undefined,
      `/teach/notebooks/${nb.notebookId}`,
    );
    const [after] = await selectTeacherNotebooks(t.db.kysely, owner.user.id);
    expect(after!.versionId).not.toBe(nb.versionId);
    expect((await activityRow(id)).version_id).toBe(nb.versionId);

    const right = await pupil.agent.json(
      'POST',
      '/api/submissions',
      submission(nb.slug, nb.route, [IMPORT, RIGHT, CORRECTION], id),
      { csrf: true },
    );
    expect(right.statusCode, right.body).toBe(202);
    const rightId = right.json<{ id: number }>().id;
    expect(await settle(pupil.agent, rightId)).toMatchObject({ status: 'done', verdict: { ok: true, total: 8 } });
    expect(await versionOfSubmission(rightId)).toBe(nb.versionId);
    // The pinned version's runtime files still serve the pupil (its tag is the activity's).
    expect((await pupil.agent.get(`/runtime/${nb.slug}/${await tagOf(nb.versionId)}/exercises.zip`)).statusCode).toBe(
      200,
    );
    // The new version's are not the activity's.
    expect((await pupil.agent.get(`/runtime/${nb.slug}/${await tagOf(after!.versionId)}/files.json`)).statusCode).toBe(
      404,
    );

    table = await owner.agent.get(`/teach/activities/${id}/table`);
    const html = table.json<{ html: string }>().html;
    expect(html).toContain('réussi');
    expect(html).toContain('(2 essais)');

    // Once handed in, the copy is read-only: no more submissions for the activity.
    expect(
      (await pupil.agent.post(`/activities/${id}/hand-in`, {}, { tokenFrom: `/activities/${id}` })).statusCode,
    ).toBe(303);
    const late = await pupil.agent.json(
      'POST',
      '/api/submissions',
      submission(nb.slug, nb.route, [IMPORT, RIGHT, '# again', CORRECTION], id),
      { csrf: true },
    );
    expect(late.statusCode).toBe(404);
  }, 120_000);

  it('grades a catalogue activity at its pinned version after a re-import', async () => {
    const owner = await teacher();
    const { classId, pupil } = await classWithPupils(owner.agent);
    const res = await assign(owner.agent, classId, 'demo', CATALOGUE_ROUTE);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const id = activityOf(res);
    const pinned = (await activityRow(id)).version_id;

    // The author re-imports the course with a change: a new live version.
    const dir = join(copyDir, dialect);
    cpSync(DEMO_COURSE, dir, { recursive: true });
    const file = join(dir, 'w1/w1-s3-x1-duree.md');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nUne phrase de plus.\n`);
    const summary = await importCourse(t.db, { source: dir, slug: 'demo', dataDir: t.dataDir, sandbox });
    expect(summary.errors).toEqual([]);
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    expect(live.id).not.toBe(pinned);

    const inActivity = await pupil.agent.json(
      'POST',
      '/api/submissions',
      submission('demo', CATALOGUE_ROUTE, [IMPORT, RIGHT, CORRECTION], id),
      { csrf: true },
    );
    expect(inActivity.statusCode, inActivity.body).toBe(202);
    const inId = inActivity.json<{ id: number }>().id;
    expect(await settle(pupil.agent, inId)).toMatchObject({ status: 'done', verdict: { ok: true } });
    expect(await versionOfSubmission(inId)).toBe(pinned);
    // The same pupil in the MOOC (no activity named): the version they read, the live one.
    const inMooc = await pupil.agent.json(
      'POST',
      '/api/submissions',
      submission('demo', CATALOGUE_ROUTE, [IMPORT, RIGHT, '# mooc', CORRECTION]),
      { csrf: true },
    );
    expect(inMooc.statusCode).toBe(202);
    expect(await versionOfSubmission(inMooc.json<{ id: number }>().id)).toBe(live.id);
    // Naming an activity that is not theirs, or for another route: refused.
    const outsider = await person();
    expect(
      (
        await outsider.agent.json('POST', '/api/submissions', submission('demo', CATALOGUE_ROUTE, [RIGHT], id), {
          csrf: true,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await pupil.agent.json('POST', '/api/submissions', submission('demo', 'w1/w1-s1-c1-nombres', [RIGHT], id), {
          csrf: true,
        })
      ).statusCode,
    ).toBe(404);
    // Handed in: the catalogue course stays readable, but the activity takes no more submissions.
    await pupil.agent.post(`/activities/${id}/hand-in`, {}, { tokenFrom: `/activities/${id}` });
    const late = await pupil.agent.json(
      'POST',
      '/api/submissions',
      submission('demo', CATALOGUE_ROUTE, [IMPORT, RIGHT, '# late', CORRECTION], id),
      { csrf: true },
    );
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: 'ACTIVITY_READ_ONLY' });
  }, 180_000);
});
