// Certificates (ADR 031) on both databases: issued by the real quiz path when a learner passes, on
// the session's date, or never; never twice; verified publicly (valid, revoked, unknown); revoked
// and re-issued by staff only; the learner's printed name, escaped on the page and in the PDF.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { issueOnGradeChange, issuePassedLearners } from '../src/lib/certificates/issue.ts';
import { DEFAULT_GRADING_POLICY, serializeGradingPolicy, type GradingPolicy } from '../src/lib/grades/policy.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalRunById, updateRun } from '../src/models/runs.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const QUIZ_URL = `/courses/demo/${QUIZ}`;
const CODE =
  /\/certificates\/([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})"/;

/** Runs a poppler tool (poppler-utils: .ci/run installs it) on PDF bytes; `{}` in `args` is the file. */
function poppler(tool: string, args: string[], pdf: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-pdf-'));
  try {
    const file = join(dir, 'c.pdf');
    writeFileSync(file, pdf);
    return execFileSync(
      tool,
      args.map((a) => (a === '{}' ? file : a)),
      { maxBuffer: 64 << 20 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Checks a certificate PDF as readers see it (poppler parses it: one A4 landscape page, its fonts
 * embedded as subsets with a Unicode map) and returns its text lines, as pdftotext extracts them.
 */
function checkPdf(bytes: Buffer): string[] {
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const info = poppler('pdfinfo', ['{}'], bytes).toString('utf8');
  expect(info).toMatch(/^Pages:\s+1$/m);
  expect(info).toMatch(/^Page size:\s+842 x 595 pts/m);
  const fonts = poppler('pdffonts', ['{}'], bytes).toString('utf8').trim().split('\n').slice(2);
  expect(fonts.length).toBeGreaterThan(0);
  // name, type, encoding, embedded, subset, ToUnicode map
  for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+DejaVuSans\S*\s+CID TrueType\s+Identity-H\s+yes yes yes/);
  return poppler('pdftotext', ['-enc', 'UTF-8', '{}', '-'], bytes)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/**
 * How much of the name's line is inked: the page rendered by poppler (gray, 72 dpi: a pixel a
 * point), the share of the columns between the name's first and last letters (its word boxes, from
 * `pdftotext -bbox`, on the baseline 360 pt from the bottom) that have a dark pixel. Glyphs that a
 * broken font subset leaves blank still extract as text, but leave holes here.
 */
function nameInk(bytes: Buffer): number {
  const baseline = 595 - 360;
  const words = [
    ...poppler('pdftotext', ['-bbox', '{}', '-'], bytes)
      .toString('utf8')
      .matchAll(/<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">/g),
  ]
    .map((m) => ({ left: Number(m[1]), right: Number(m[2]), bottom: Number(m[3]) }))
    .filter((w) => Math.abs(w.bottom - baseline) < 12);
  expect(words.length).toBeGreaterThan(0);
  const left = Math.ceil(Math.min(...words.map((w) => w.left)));
  const right = Math.floor(Math.max(...words.map((w) => w.right)));
  const pgm = poppler('pdftoppm', ['-gray', '-r', '72', '{}'], bytes);
  // Binary PGM: "P5 <width> <height> 255" and one byte a pixel, row by row.
  const head = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40))!;
  const width = Number(head[1]);
  let inked = 0;
  for (let x = left; x < right; x++) {
    for (let y = baseline - 24; y < baseline + 8; y++) {
      if (pgm[head[0].length + y * width + x]! < 128) {
        inked++;
        break;
      }
    }
  }
  return inked / (right - left);
}

describe.each(DIALECTS)('certificates on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  let now = new Date('2026-03-03T10:00:00Z');
  let courseId = 0;
  let versionId = 0;
  let n = 0;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    // No sandbox: the quizzes are the graded items.
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    jobs = new DbJobQueue(t.db, { concurrency: 1, pollMs: 50, clock: () => now });
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      jobs,
      logger: false,
      clock: () => now,
    });
    jobs.start();
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    courseId = live.course_id;
    versionId = live.id;
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  /** A session whose policy a single right answer passes (a tiny threshold, quizzes only). */
  async function session(certificates: Partial<GradingPolicy['certificates']>, threshold = 0.01): Promise<Run> {
    const run = await insertTestRun(t.db.kysely, now, {
      course_id: courseId,
      slug: `s${++n}`,
      title: `Printemps ${n}`,
      ends_at: '2026-06-01T00:00:00.000Z',
      version_id: versionId,
    });
    const policy: GradingPolicy = {
      ...DEFAULT_GRADING_POLICY,
      weights: { quiz: 1, exercise: 0 },
      threshold,
      certificates: { ...DEFAULT_GRADING_POLICY.certificates, ...certificates },
    };
    await updateRun(t.db.kysely, run.id, { grading: serializeGradingPolicy(policy) }, now);
    return (await selectOptionalRunById(t.db.kysely, run.id))!;
  }

  async function learner(run: Run, name?: string) {
    const user = await createUser(t.db, `learner${++n}@example.org`, { name: name ?? `Learner ${n}` });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
    return { user, agent };
  }
  const rightAnswer = (agent: Agent) =>
    agent.post(
      QUIZ_URL,
      [
        ['problem', 'p1'],
        ['p1q1', '3'],
      ],
      { tokenFrom: QUIZ_URL },
    );
  const wrongAnswer = (agent: Agent) =>
    agent.post(
      QUIZ_URL,
      [
        ['problem', 'p1'],
        ['p1q1', '4'],
      ],
      { tokenFrom: QUIZ_URL },
    );
  const certificatesOf = (runId: number, userId: number) =>
    t.db.kysely
      .selectFrom('certificates')
      .selectAll()
      .where('run_id', '=', runId)
      .where('user_id', '=', userId)
      .execute();

  it('issues at once when a learner passes through the quiz form; the public page says valid', async () => {
    const run = await session({ issue: 'pass' });
    const { user, agent } = await learner(run, 'Zoé Durand');
    expect((await rightAnswer(agent)).statusCode).toBe(303);
    const [cert, ...others] = await certificatesOf(run.id, user.id);
    expect(others).toEqual([]);
    expect(cert!.name).toBe('Zoé Durand');
    expect(cert!.run_title).toBe(run.title);
    expect(cert!.grade).toBeGreaterThan(0);
    expect(cert!.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);

    // The dashboard links to it.
    const me = await agent.get('/me');
    expect(CODE.exec(me.body)?.[1]).toBe(cert!.code);

    // Anyone can verify it, without logging in; not indexed.
    const page = await new Agent(app).get(`/certificates/${cert!.code}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['x-robots-tag']).toContain('noindex');
    expect(page.body).toContain('name="robots" content="noindex');
    expect(page.body).toContain('Zoé Durand');
    expect(page.body).toContain('certificate-verdict-valid');
    expect(page.body).not.toContain('.pdf"'); // download buttons are the holder's
    // Case and hyphens do not matter: the canonical URL.
    const loose = await new Agent(app).get(`/certificates/${cert!.code.toLowerCase().replace(/-/g, '')}`);
    expect(loose.statusCode).toBe(301);
    expect(loose.headers.location).toBe(`/certificates/${cert!.code}`);

    // The holder sees the download; the PDF parses and prints the name and the code.
    const own = await agent.get(`/certificates/${cert!.code}`);
    expect(own.body).toContain(`/certificates/${cert!.code}.pdf`);
    const pdf = await agent.get(`/certificates/${cert!.code}.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const shown = checkPdf(pdf.rawPayload);
    expect(shown).toContain('Zoé Durand');
    expect(shown).toContain(run.title);
    expect(shown.join('\n')).toContain(cert!.code);
    // The same certificate gives the same bytes.
    expect((await agent.get(`/certificates/${cert!.code}.pdf`)).rawPayload.equals(pdf.rawPayload)).toBe(true);
    // Someone else gets no PDF.
    expect((await new Agent(app).get(`/certificates/${cert!.code}.pdf`)).statusCode).toBe(404);
  });

  it('issues nothing below the threshold, nor when the session never issues', async () => {
    const run = await session({ issue: 'pass' });
    const { user, agent } = await learner(run);
    expect((await wrongAnswer(agent)).statusCode).toBe(303);
    expect(await certificatesOf(run.id, user.id)).toEqual([]);
    expect((await agent.get('/me')).body).toContain('certificate-line');

    const never = await session({ issue: 'never' });
    const other = await learner(never);
    expect((await rightAnswer(other.agent)).statusCode).toBe(303);
    expect(await certificatesOf(never.id, other.user.id)).toEqual([]);
  });

  it('date mode: nothing before the date; the job (and a look at /me) issue after it', async () => {
    const date = '2026-03-10T00:00:00.000Z';
    const run = await session({ issue: 'date', date });
    const a = await learner(run);
    const b = await learner(run);
    await rightAnswer(a.agent);
    await rightAnswer(b.agent);
    expect(await certificatesOf(run.id, a.user.id)).toEqual([]);
    expect(await issuePassedLearners(t.db.kysely, run, now)).toBe(0);
    expect((await a.agent.get('/me')).body).toMatch(/certificat sera délivré|certificate will be issued/);
    const before = now;
    now = new Date('2026-03-10T00:00:01Z');
    try {
      // The job, as the schedule or staff queue it.
      const id = await jobs.enqueue('certificates.issue', { runId: run.id });
      const done = await jobs.waitFor(id, 10_000);
      expect(done.status).toBe('done');
      expect(done.result).toEqual({ issued: 2 });
      expect(await certificatesOf(run.id, a.user.id)).toHaveLength(1);
      // Again: nothing more.
      expect(await issuePassedLearners(t.db.kysely, run, now)).toBe(0);
      // A learner who passes after the date gets theirs at once; /me shows it.
      const c = await learner(run);
      await rightAnswer(c.agent);
      expect(await certificatesOf(run.id, c.user.id)).toHaveLength(1);
      expect(CODE.exec((await c.agent.get('/me')).body)).not.toBeNull();
    } finally {
      now = before;
    }
  });

  it('never issues twice, even when triggers race', async () => {
    const run = await session({ issue: 'pass' });
    const users = await Promise.all([1, 2, 3].map(() => createUser(t.db, `race${++n}@example.org`)));
    for (const u of users) {
      await t.db.kysely
        .insertInto('learner_grades')
        .values({ run_id: run.id, user_id: u.id, grade: 0.8, passed: 1, computed_at: now.toISOString() })
        .execute();
    }
    await Promise.all([
      ...users.flatMap((u) =>
        Array.from({ length: 4 }, () =>
          issueOnGradeChange(
            t.db.kysely,
            run,
            { run_id: run.id, user_id: u.id, grade: 0.8, passed: 1, computed_at: now.toISOString() },
            now,
          ),
        ),
      ),
      issuePassedLearners(t.db.kysely, run, now),
      issuePassedLearners(t.db.kysely, run, now),
    ]);
    for (const u of users) expect(await certificatesOf(run.id, u.id)).toHaveLength(1);
  });

  it('staff revoke (the old code says revoked) and re-issue; learners may not', async () => {
    const run = await session({ issue: 'pass', showGrade: false });
    const { user, agent } = await learner(run, 'Camille Martin');
    await rightAnswer(agent);
    const [cert] = await certificatesOf(run.id, user.id);
    expect(cert!.grade).toBeNull();
    const base = `/manage/courses/demo/runs/${run.slug}/certificates`;

    // A learner: 404 on the list and the actions.
    expect((await agent.get(base)).statusCode).toBe(404);
    const csrf = await agent.csrf('/account');
    expect((await agent.post(`${base}/${cert!.id}/revoke`, { _csrf: csrf, reason: 'x' })).statusCode).toBe(404);
    expect((await agent.post(`${base}/${cert!.id}/reissue`, { _csrf: csrf })).statusCode).toBe(404);

    const admin = await createUser(t.db, `admin${++n}@example.org`, { admin: true });
    const staff = new Agent(app);
    await staff.login(admin.email, admin.password);
    const list = await staff.get(base);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(cert!.code);
    // A reason is required.
    await staff.post(`${base}/${cert!.id}/revoke`, { reason: ' ' }, { tokenFrom: base });
    expect((await certificatesOf(run.id, user.id))[0]!.revoked_at).toBeNull();
    const revoked = await staff.post(`${base}/${cert!.id}/revoke`, { reason: 'Plagiat' }, { tokenFrom: base });
    expect(revoked.statusCode).toBe(303);
    const page = await new Agent(app).get(`/certificates/${cert!.code}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('certificate-verdict-revoked');
    // The public page of a revoked certificate names no one and keeps the reason for its holder and staff.
    expect(page.body).not.toContain('Camille Martin');
    expect(page.body).not.toContain('Plagiat');
    expect((await agent.get(`/certificates/${cert!.code}`)).body).toContain('Plagiat');
    // A new grade does not bring it back on its own.
    await rightAnswer(agent);
    expect(await certificatesOf(run.id, user.id)).toHaveLength(1);

    // Re-issue: a new code, the current name; the old one stays revoked.
    await t.db.kysely
      .updateTable('users')
      .set({ certificate_name: 'Camille M. Martin' })
      .where('id', '=', user.id)
      .execute();
    expect((await staff.post(`${base}/${cert!.id}/reissue`, {}, { tokenFrom: base })).statusCode).toBe(303);
    const all = await certificatesOf(run.id, user.id);
    const valid = all.filter((c) => c.revoked_at === null);
    expect(valid).toHaveLength(1);
    expect(valid[0]!.code).not.toBe(cert!.code);
    expect(valid[0]!.name).toBe('Camille M. Martin');
    expect((await new Agent(app).get(`/certificates/${valid[0]!.code}`)).body).toContain('certificate-verdict-valid');
    // Re-issuing the valid one again revokes it and issues another.
    await staff.post(`${base}/${valid[0]!.id}/reissue`, {}, { tokenFrom: base });
    expect((await certificatesOf(run.id, user.id)).filter((c) => c.revoked_at === null)).toHaveLength(1);
    expect(await certificatesOf(run.id, user.id)).toHaveLength(3);
  });

  it('prints the name the learner chose, escaped on the page and harmless in the PDF; a re-issue follows a rename', async () => {
    const run = await session({ issue: 'pass' });
    const { user, agent } = await learner(run);
    // Refused: empty, control characters, too long.
    for (const bad of ['   ', 'a\u0007b', 'x'.repeat(101), 'abc\u202edef']) {
      const res = await agent.post('/account/certificate-name', { certificate_name: bad }, { tokenFrom: '/account' });
      expect(res.statusCode).toBe(400);
    }
    const evil = '  <script>alert("x")</script> Éloïse  (Ça) \\ ';
    const saved = await agent.post('/account/certificate-name', { certificate_name: evil }, { tokenFrom: '/account' });
    expect(saved.statusCode).toBe(303);
    expect((await agent.get('/account')).body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Éloïse');
    await rightAnswer(agent);
    const [cert] = await certificatesOf(run.id, user.id);
    expect(cert!.name).toBe('<script>alert("x")</script> Éloïse (Ça) \\');
    const page = await new Agent(app).get(`/certificates/${cert!.code}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Éloïse (Ça)');
    const pdf = (await agent.get(`/certificates/${cert!.code}.pdf`)).rawPayload;
    const text = checkPdf(pdf);
    expect(text).toContain('<script>alert("x")</script> Éloïse (Ça) \\');
    expect(text.join('\n')).toContain(cert!.code);

    // Renamed later: the issued certificate keeps its name; its holder may ask for a new one.
    await agent.post('/account/certificate-name', { certificate_name: 'Éloïse Dupont' }, { tokenFrom: '/account' });
    expect((await certificatesOf(run.id, user.id))[0]!.name).toBe(cert!.name);
    const own = await agent.get(`/certificates/${cert!.code}`);
    expect(own.body).toContain(`/certificates/${cert!.code}/reissue`);
    const res = await agent.post(
      `/certificates/${cert!.code}/reissue`,
      {},
      { tokenFrom: `/certificates/${cert!.code}` },
    );
    expect(res.statusCode).toBe(303);
    const fresh = (await certificatesOf(run.id, user.id)).find((c) => c.revoked_at === null)!;
    expect(fresh.name).toBe('Éloïse Dupont');
    expect(fresh.grade).toBe(cert!.grade);
    // Someone else cannot re-issue it.
    const other = await learner(run);
    const refused = await other.agent.post(`/certificates/${fresh.code}/reissue`, {}, { tokenFrom: '/account' });
    expect(refused.statusCode).toBe(404);
  });

  it('prints names of every Latin alphabet exactly: chosen on the account page, read back from the PDF', async () => {
    const run = await session({ issue: 'pass' });
    const names = [
      'Nguyễn Thị Ngọc Ánh', // Vietnamese: stacked accents
      'Ɔbɛnɛ Kwaku Ŋkansa', // Akan: open o and e, eng
      'Françoise Lévesque-Bérubé', // Québec
      'Ọlábísí Adébáyọ̀', // Yoruba: a tone mark over a dotted letter, with no precomposed form
      'Kɔ́fí Tɔ́gbɛ̌', // Ewe: tone marks inside words, none precomposed
      'Ɗanƙwai Ƴusuf Ɓello', // Hausa: hooked letters
      'Αλέξανδρος Ёлкин', // Greek and Cyrillic
    ];
    for (const typed of names) {
      const { user, agent } = await learner(run);
      const saved = await agent.post(
        '/account/certificate-name',
        { certificate_name: typed },
        { tokenFrom: '/account' },
      );
      expect(saved.statusCode, typed).toBe(303);
      await rightAnswer(agent);
      const [cert] = await certificatesOf(run.id, user.id);
      const name = typed.normalize('NFC');
      expect(cert!.name).toBe(name);
      // No warning on the holder's page: the PDF prints it all.
      expect((await agent.get(`/certificates/${cert!.code}`)).body).not.toContain('certificate-unprintable');
      const pdf = (await agent.get(`/certificates/${cert!.code}.pdf`)).rawPayload;
      const lines = checkPdf(pdf);
      // The name is a line of its own, exactly as stored; the metadata names the holder too.
      expect(lines, typed).toContain(name);
      expect(poppler('pdfinfo', ['{}'], pdf).toString('utf8')).toContain(`Author:          ${name}`);
      // Drawn, not only extractable: the name's line is inked across its width.
      expect(nameInk(pdf), typed).toBeGreaterThan(0.6);
      // Subset: only the glyphs used, so a certificate stays small (each font file is 700 KB).
      expect(pdf.length).toBeLessThan(40_000);
    }
  });

  it('refuses a printed name the PDF cannot print, saying which characters; a display name like that prints U+FFFD', async () => {
    const run = await session({ issue: 'pass' });
    const { user, agent } = await learner(run, 'Li 王芳');
    for (const bad of ['王芳', 'Zoé 🎓', 'דוד כהן']) {
      const res = await agent.post('/account/certificate-name', { certificate_name: bad }, { tokenFrom: '/account' });
      expect(res.statusCode, bad).toBe(400);
      expect(res.body).toMatch(/ne peut pas imprimer ces caractères|cannot print these characters/);
    }
    const res = await agent.post(
      '/account/certificate-name',
      { certificate_name: 'Li 王芳' },
      { tokenFrom: '/account' },
    );
    expect(res.body).toContain('王 芳');
    expect(
      (
        await t.db.kysely
          .selectFrom('users')
          .select('certificate_name')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).certificate_name,
    ).toBeNull();

    // Never chosen: the certificate takes the display name, which nothing checked for printing.
    await rightAnswer(agent);
    const [cert] = await certificatesOf(run.id, user.id);
    expect(cert!.name).toBe('Li 王芳');
    // The page (HTML) shows it whole; its holder is told what the PDF does and how to fix it.
    const own = await agent.get(`/certificates/${cert!.code}`);
    expect(own.body).toContain('Li 王芳');
    expect(own.body).toContain('certificate-unprintable');
    expect(own.body).toContain('王 芳');
    const pdf = (await agent.get(`/certificates/${cert!.code}.pdf`)).rawPayload;
    expect(checkPdf(pdf)).toContain('Li \ufffd\ufffd');

    // A printable name, then a new certificate from the holder's page: printed whole.
    await agent.post('/account/certificate-name', { certificate_name: 'Wáng Fāng' }, { tokenFrom: '/account' });
    await agent.post(`/certificates/${cert!.code}/reissue`, {}, { tokenFrom: `/certificates/${cert!.code}` });
    const fresh = (await certificatesOf(run.id, user.id)).find((c) => c.revoked_at === null)!;
    expect(fresh.name).toBe('Wáng Fāng');
    expect(checkPdf((await agent.get(`/certificates/${fresh.code}.pdf`)).rawPayload)).toContain('Wáng Fāng');
  });

  it('unknown and malformed codes: 404 with a form; look-ups are throttled per address', async () => {
    const visitor = new Agent(app);
    const unknown = await visitor.get('/certificates/0000-0000-0000-0000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('name="code"');
    expect((await visitor.get('/certificates/not-a-code')).statusCode).toBe(404);
    const typed = await visitor.get('/certificates?code=zzzz%20zzzz%20zzzz%20zzzz');
    expect(typed.statusCode).toBe(303);
    expect(typed.headers.location).toBe('/certificates/ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    let last = 0;
    for (let i = 0; i < 70 && last !== 429; i++)
      last = (await visitor.get('/certificates/0000-0000-0000-0001')).statusCode;
    expect(last).toBe(429);
  });
});
