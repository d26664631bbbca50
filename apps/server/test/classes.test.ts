import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createMailer, type Mailer } from '../src/lib/auth/mailer.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { approveTeacher } from '../src/models/teachers.ts';
import { selectOptionalItemByRoute } from '../src/models/course-items.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser, readOutbox } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, REPO_ROOT } from './fixtures.ts';

const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const YEAR = '2026-2027';

/** The sheet's cards: identifier and password of each pupil, in order. */
function sheetOf(page: string): { name: string; identifier: string; password: string }[] {
  const cards = page.match(/<li class="password-card">[\s\S]*?<\/li>/g) ?? [];
  return cards.map((card) => ({
    name: /password-card-name">([^<]*)</.exec(card)![1]!,
    identifier: /password-card-login">([^<]*)</.exec(card)![1]!,
    password: /password-card-password">([^<]*)</.exec(card)![1]!,
  }));
}

describe.each(DIALECTS)('teachers and classes on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let now = new Date('2026-10-01T08:00:00Z');
  let users = 0;
  let mailer: Mailer;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const config = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false', savesPerSecond: '100000' });
    mailer = createMailer(
      { from: config.mailFrom, dataDir: t.dataDir },
      (await import('pino')).pino({ level: 'silent' }),
    );
    app = await buildApp({ config, db: t.db, logger: false, clock: () => now, mailer });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function person(options: { admin?: boolean; ip?: string } = {}) {
    const name = `person${++users}`;
    const user = await createUser(t.db, `${name}@example.org`, { name: `Person ${users}`, admin: options.admin });
    const agent = new Agent(app, options.ip);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }

  async function teacher() {
    const made = await person();
    await approveTeacher(t.db.kysely, made.user.id, null, now);
    return made;
  }

  /** Creates a class through its form; returns its id and join code. */
  async function newClass(agent: Agent, name = 'Seconde 4') {
    const res = await agent.post(
      '/teach/classes',
      { name, school_year: YEAR, level: 'seconde' },
      { tokenFrom: '/teach' },
    );
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const id = Number(/^\/teach\/classes\/(\d+)\?notice=created$/.exec(String(res.headers['location']))![1]);
    return { id, code: await codeOf(agent, id) };
  }

  async function codeOf(agent: Agent, id: number): Promise<string> {
    const page = await agent.get(`/teach/classes/${id}`);
    expect(page.statusCode).toBe(200);
    return /class="join-code">[\s\S]*?<code>([A-Z0-9]{6})<\/code>/.exec(page.body)?.[1] ?? '';
  }

  async function roster(agent: Agent, id: number, fields: Record<string, string>) {
    const res = await agent.post(`/teach/classes/${id}/pupils`, fields, { tokenFrom: `/teach/classes/${id}` });
    return { res, sheet: sheetOf(res.body) };
  }

  it('gives the teacher role through a request an administrator approves, or a grant', async () => {
    const { agent: admin } = await person({ admin: true });
    const { user, agent } = await person();
    // Not a teacher yet: the space asks, and a class cannot be made.
    expect((await agent.get('/teach')).body).toContain('action="/teach/request"');
    expect(
      (await agent.post('/teach/classes', { name: 'X', school_year: YEAR, level: 'seconde' }, { tokenFrom: '/teach' }))
        .statusCode,
    ).toBe(404);
    expect((await agent.post('/teach/request', { school: '' }, { tokenFrom: '/teach' })).statusCode).toBe(400);
    const asked = await agent.post('/teach/request', { school: 'Lycée Jean Moulin, NSI' }, { tokenFrom: '/teach' });
    expect(asked.headers['location']).toBe('/teach?notice=requested');
    expect((await agent.get('/teach')).body).toContain('un administrateur de Carnet doit l’approuver');
    // Only administrators see the requests.
    expect((await agent.get('/admin/teachers')).statusCode).toBe(404);
    expect((await agent.post(`/admin/teachers/${user.id}/approve`, {}, { tokenFrom: '/teach' })).statusCode).toBe(404);
    const list = await admin.get('/admin/teachers');
    expect(list.body).toContain('Lycée Jean Moulin, NSI');
    const approved = await admin.post(`/admin/teachers/${user.id}/approve`, {}, { tokenFrom: '/admin/teachers' });
    expect(approved.headers['location']).toBe('/admin/teachers?notice=approved');
    expect((await agent.get('/teach')).body).toContain('action="/teach/classes"');
    expect((await agent.get('/me')).body).toContain('href="/teach"');
    // A grant by address; a revocation takes the space away.
    const { user: other, agent: otherAgent } = await person();
    expect(
      (await admin.post('/admin/teachers', { email: 'nobody@example.org' }, { tokenFrom: '/admin/teachers' }))
        .statusCode,
    ).toBe(400);
    await admin.post('/admin/teachers', { email: other.email }, { tokenFrom: '/admin/teachers' });
    const { id } = await newClass(otherAgent);
    await admin.post(`/admin/teachers/${other.id}/revoke`, {}, { tokenFrom: '/admin/teachers' });
    expect((await otherAgent.get(`/teach/classes/${id}`)).statusCode).toBe(404);
    // A refused request can be asked again.
    const { user: third, agent: thirdAgent } = await person();
    await thirdAgent.post('/teach/request', { school: 'Collège' }, { tokenFrom: '/teach' });
    await admin.post(`/admin/teachers/${third.id}/refuse`, {}, { tokenFrom: '/admin/teachers' });
    expect((await thirdAgent.get('/teach')).body).toContain('action="/teach/request"');
  });

  it('grants and revokes the role with `carnet user teacher`', async () => {
    const { user, agent } = await person();
    const env = dialect === 'postgres' ? { DATABASE_URL: t.databaseUrl } : { CARNET_DATA_DIR: t.dataDir };
    const carnet = (...args: string[]) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'apps/server/bin/carnet.js'), 'user', 'teacher', ...args], {
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const granted = carnet(user.email.toUpperCase());
    expect(granted.status, granted.stderr).toBe(0);
    expect(granted.stdout).toContain('is now a teacher');
    expect((await agent.get('/teach')).body).toContain('action="/teach/classes"');
    // The data export tells it.
    expect((await agent.get('/account/export')).json().teacher).toBe('approved');
    expect(carnet(user.email, '--revoke').status).toBe(0);
    expect((await agent.get('/teach')).body).toContain('action="/teach/request"');
    expect(carnet('nobody@example.org').status).toBe(1);
  });

  it('checks a class’s fields and lists it in the teacher space', async () => {
    const { agent } = await teacher();
    const bad = await agent.post(
      '/teach/classes',
      { name: '', school_year: '2026', level: 'cm2' },
      { tokenFrom: '/teach' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('aria-invalid="true"');
    expect(bad.body).toContain('2026-2027');
    const { id } = await newClass(agent, 'Terminale NSI');
    expect((await agent.get('/teach')).body).toContain(`href="/teach/classes/${id}">Terminale NSI</a>`);
    const renamed = await agent.post(
      `/teach/classes/${id}`,
      { name: 'Terminale NSI 2', school_year: YEAR, level: 'terminale' },
      { tokenFrom: `/teach/classes/${id}` },
    );
    expect(renamed.statusCode).toBe(303);
    expect((await agent.get(`/teach/classes/${id}`)).body).toContain('<h1>Terminale NSI 2</h1>');
  });

  it('lets pupils join with the code or the link; wrong, closed and replaced codes are refused', async () => {
    const { agent: teacherAgent } = await teacher();
    const { id, code } = await newClass(teacherAgent, 'Première 2');
    expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    // A visitor is asked to log in and brought back, with nothing of the class shown.
    const visitor = await new Agent(app).get(`/join/${code}`);
    expect(visitor.body).toContain(`href="/login?next=${encodeURIComponent(`/join/${code}`)}"`);
    expect(visitor.body).toContain(`/signup?next=${encodeURIComponent(`/join/${code}`)}`);
    expect(visitor.body).not.toContain('Première 2');
    const { user: pupil, agent } = await person();
    // The code typed in lower case with a space finds the link.
    const typed = await agent.post(
      '/join',
      { code: `${code.slice(0, 3).toLowerCase()} ${code.slice(3)}` },
      { tokenFrom: '/join' },
    );
    expect(typed.headers['location']).toBe(`/join/${code}`);
    const page = await agent.get(`/join/${code}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Première 2');
    const joined = await agent.post(`/join/${code}`, {}, { tokenFrom: `/join/${code}` });
    expect(joined.headers['location']).toBe('/me?notice=joined');
    const me = (await agent.get('/me?notice=joined')).body;
    expect(me).toContain('Vous avez rejoint la classe.');
    expect(me).toContain('<strong>Première 2</strong>');
    expect((await agent.get(`/join/${code}`)).body).toContain('Vous êtes déjà dans cette classe.');
    expect((await teacherAgent.get(`/teach/classes/${id}`)).body).toContain('Élèves (1)');
    expect(pupil.id).toBeGreaterThan(0);

    // Wrong code.
    const { agent: late } = await person();
    const wrongCode = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    const wrong = await late.get(`/join/${wrongCode}`);
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).toContain('Ce code ne correspond à aucune classe');
    // Closed: said so, and joining is refused.
    await teacherAgent.post(`/teach/classes/${id}/code`, { action: 'close' }, { tokenFrom: `/teach/classes/${id}` });
    const closed = await late.get(`/join/${code}`);
    expect(closed.statusCode).toBe(410);
    expect(closed.body).toContain('Cette classe n’accepte plus de nouveaux élèves');
    expect((await late.post(`/join/${code}`, {}, { tokenFrom: '/join' })).statusCode).toBe(410);
    await teacherAgent.post(`/teach/classes/${id}/code`, { action: 'open' }, { tokenFrom: `/teach/classes/${id}` });
    expect((await late.get(`/join/${code}`)).statusCode).toBe(200);
    // Regenerated: the old code is wrong, the new one works.
    await teacherAgent.post(
      `/teach/classes/${id}/code`,
      { action: 'regenerate' },
      { tokenFrom: `/teach/classes/${id}` },
    );
    const fresh = await codeOf(teacherAgent, id);
    expect(fresh).not.toBe(code);
    expect((await late.get(`/join/${code}`)).statusCode).toBe(404);
    expect((await late.post(`/join/${code}`, {}, { tokenFrom: '/join' })).statusCode).toBe(404);
    expect((await late.post(`/join/${fresh}`, {}, { tokenFrom: '/join' })).headers['location']).toBe(
      '/me?notice=joined',
    );
    // The pupil who joined first is still in.
    expect((await agent.get('/me')).body).toContain('<strong>Première 2</strong>');
  });

  it('keeps next= through sign-up, so a new pupil lands on the class after confirming', async () => {
    const { agent: teacherAgent } = await teacher();
    const { code } = await newClass(teacherAgent, 'Licence 1');
    const visitor = new Agent(app);
    const next = `/join/${code}`;
    const form = await visitor.get(`/signup?next=${encodeURIComponent(next)}`);
    expect(form.body).toContain(`name="next" value="${next}"`);
    const sent = await visitor.post(
      '/signup',
      { name: 'Nouvelle', email: 'nouvelle@example.org', password: 'a long enough passphrase', next },
      { tokenFrom: `/signup?next=${encodeURIComponent(next)}` },
    );
    expect(sent.statusCode).toBe(200);
    await mailer.idle();
    const mail = readOutbox(t.dataDir).find((m) => m.to.includes('nouvelle@example.org'))!;
    const link = /https?:\/\/[^\s/]+(\/signup\/confirm\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const confirmed = await visitor.post(link, {}, { tokenFrom: link });
    expect(confirmed.headers['location']).toBe(next);
  });

  it('creates pseudonymous accounts from a roster: a printable sheet shown once, hashed passwords, no e-mail', async () => {
    const { agent: teacherAgent } = await teacher();
    const { id } = await newClass(teacherAgent, 'Sixième B');
    expect((await roster(teacherAgent, id, { names: '', count: '' })).res.statusCode).toBe(400);
    expect((await roster(teacherAgent, id, { names: '', count: '61' })).res.statusCode).toBe(400);
    expect((await roster(teacherAgent, id, { names: 'x'.repeat(81) })).res.statusCode).toBe(400);
    const { res, sheet } = await roster(teacherAgent, id, { names: 'Ada L.\n\n  Éloïse  \nAda L.\n' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toContain('class="page-sheet"');
    expect(sheet.map((s) => s.name)).toEqual(['Ada L.', 'Éloïse', 'Ada L.']);
    expect(sheet[0]!.identifier).toMatch(/^adal\.[2-9a-hjkmnp-z]{4}$/);
    expect(sheet[1]!.identifier).toMatch(/^eloise\./);
    expect(new Set(sheet.map((s) => s.identifier)).size).toBe(3);
    for (const s of sheet) expect(s.password).toMatch(/^[a-z]+-[a-z]+-[a-z]+-\d\d$/);
    expect(res.body).toContain('http://localhost:80/login');
    // Generated identifiers continue the numbering.
    const generated = await roster(teacherAgent, id, { names: '', count: '2' });
    expect(generated.sheet.map((s) => s.name)).toEqual(['Élève 04', 'Élève 05']);

    // Stored: the name and the identifier, an argon2id hash; never the password.
    const rows = await t.db.kysely
      .selectFrom('users')
      .selectAll()
      .where(
        'email',
        'in',
        sheet.map((s) => s.identifier),
      )
      .execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.email).not.toContain('@');
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      const dump = JSON.stringify(row);
      for (const s of sheet) expect(dump).not.toContain(s.password);
    }
    // The class page never shows a password again.
    const page = (await teacherAgent.get(`/teach/classes/${id}`)).body;
    for (const s of sheet) {
      expect(page).toContain(s.identifier);
      expect(page).not.toContain(s.password);
    }

    // The pupil logs in with the identifier (any case) and the printed password.
    const pupil = new Agent(app);
    expect((await pupil.login(sheet[1]!.identifier.toUpperCase(), 'wrong password!')).statusCode).toBe(401);
    expect((await pupil.login(sheet[1]!.identifier.toUpperCase(), sheet[1]!.password)).statusCode).toBe(303);
    const me = (await pupil.get('/me')).body;
    expect(me).toContain('<strong>Sixième B</strong>');
    expect(me).toContain('Vous utilisez encore le mot de passe de votre carte');
    // No teacher space for a pupil account, and no e-mail is ever sent to it.
    expect((await pupil.get('/teach')).body).not.toContain('action="/teach/request"');
    expect((await pupil.post('/teach/request', { school: 'École' }, { tokenFrom: '/me' })).statusCode).toBe(404);
    const before = readOutbox(t.dataDir).length;
    await new Agent(app).post('/password/forgot', { email: sheet[1]!.identifier }, { tokenFrom: '/password/forgot' });
    await mailer.idle();
    expect(readOutbox(t.dataDir).length).toBe(before);
    // The pupil changes it: the dashboard stops saying so.
    now = new Date(now.getTime() + 1000);
    const changed = await pupil.post(
      '/account/password',
      { current: sheet[1]!.password, password: 'mon nouveau mot de passe' },
      { tokenFrom: '/account' },
    );
    expect(changed.statusCode, changed.body.slice(0, 300)).toBe(303);
    expect((await pupil.get('/me')).body).not.toContain('Vous utilisez encore le mot de passe de votre carte');
  });

  it('resets a pupil’s password: a new card, the old password and sessions end; an own account is never reset', async () => {
    const { agent: teacherAgent } = await teacher();
    const { id, code } = await newClass(teacherAgent, 'Cinquième A');
    const { sheet } = await roster(teacherAgent, id, { names: 'Noé' });
    const [card] = sheet;
    const pupil = new Agent(app);
    expect((await pupil.login(card!.identifier, card!.password)).statusCode).toBe(303);
    const userId = (await pupil.session()).user!.id;
    const reset = await teacherAgent.post(
      `/teach/classes/${id}/pupils/${userId}/password`,
      {},
      { tokenFrom: `/teach/classes/${id}` },
    );
    expect(reset.statusCode).toBe(200);
    const [line] = sheetOf(reset.body);
    expect(line!.identifier).toBe(card!.identifier);
    expect(line!.password).not.toBe(card!.password);
    expect((await pupil.session()).user).toBeNull();
    expect((await new Agent(app).login(card!.identifier, card!.password)).statusCode).toBe(401);
    expect((await new Agent(app).login(line!.identifier, line!.password)).statusCode).toBe(303);
    // A pupil with an e-mail account in the class: their password is theirs.
    const { user: own, agent: ownAgent } = await person();
    await ownAgent.post(`/join/${code}`, {}, { tokenFrom: '/me' });
    expect(
      (
        await teacherAgent.post(
          `/teach/classes/${id}/pupils/${own.id}/password`,
          {},
          { tokenFrom: `/teach/classes/${id}` },
        )
      ).statusCode,
    ).toBe(404);
    expect((await new Agent(app).login(own.email, own.password)).statusCode).toBe(303);
  });

  it('shares a class between co-teachers with the same rights; the last teacher cannot leave', async () => {
    const { agent: first } = await teacher();
    const { user: second, agent: secondAgent } = await teacher();
    const { user: notTeacher } = await person();
    const { id } = await newClass(first, 'Prépa MP2I');
    expect((await secondAgent.get(`/teach/classes/${id}`)).statusCode).toBe(404);
    const refused = await first.post(
      `/teach/classes/${id}/teachers`,
      { email: notTeacher.email },
      { tokenFrom: `/teach/classes/${id}` },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Aucun enseignant de Carnet n’a cette adresse');
    const lonely = await first.post(`/teach/classes/${id}/leave`, {}, { tokenFrom: `/teach/classes/${id}` });
    expect(lonely.statusCode).toBe(409);
    const added = await first.post(
      `/teach/classes/${id}/teachers`,
      { email: second.email.toUpperCase() },
      { tokenFrom: `/teach/classes/${id}` },
    );
    expect(added.headers['location']).toBe(`/teach/classes/${id}?notice=teacher-added`);
    // Same rights: the co-teacher makes pupils and changes the code.
    expect((await roster(secondAgent, id, { names: 'Alan' })).sheet).toHaveLength(1);
    expect(
      (await secondAgent.post(`/teach/classes/${id}/code`, { action: 'close' }, { tokenFrom: `/teach/classes/${id}` }))
        .statusCode,
    ).toBe(303);
    expect(
      (await first.post(`/teach/classes/${id}/leave`, {}, { tokenFrom: `/teach/classes/${id}` })).headers['location'],
    ).toBe('/teach?notice=left');
    expect((await first.get(`/teach/classes/${id}`)).statusCode).toBe(404);
    expect(
      (await secondAgent.post(`/teach/classes/${id}/leave`, {}, { tokenFrom: `/teach/classes/${id}` })).statusCode,
    ).toBe(409);
  });

  it('shows a class to its teachers only (404 to another teacher, a pupil, an administrator), and a pupil only their classes', async () => {
    const { agent: owner } = await teacher();
    const { agent: intruder } = await teacher();
    const { agent: admin } = await person({ admin: true });
    const { id, code } = await newClass(owner, 'Seconde 7');
    const { id: otherId, code: otherCode } = await newClass(owner, 'Seconde 8');
    const { sheet } = await roster(owner, id, { names: 'Grace' });
    const pupil = new Agent(app);
    await pupil.login(sheet[0]!.identifier, sheet[0]!.password);
    const pupilId = (await pupil.session()).user!.id;
    const { agent: otherPupil } = await person();
    await otherPupil.post(`/join/${otherCode}`, {}, { tokenFrom: '/me' });

    const base = `/teach/classes/${id}`;
    const token = await intruder.csrf('/teach');
    const attempts: [string, Record<string, string>][] = [
      [base, { name: 'Pirate', school_year: YEAR, level: 'seconde' }],
      [`${base}/code`, { action: 'regenerate' }],
      [`${base}/teachers`, { email: 'x@example.org' }],
      [`${base}/leave`, {}],
      [`${base}/pupils`, { names: 'Mallory' }],
      [`${base}/pupils/${pupilId}/password`, {}],
      [`${base}/pupils/${pupilId}/remove`, { confirm: '1' }],
      [`${base}/delete`, { confirm_name: 'Seconde 7' }],
    ];
    for (const agent of [intruder, admin, pupil]) {
      for (const url of [base, `${base}/delete`]) expect((await agent.get(url)).statusCode, url).toBe(404);
    }
    for (const [url, fields] of attempts) {
      const res = await intruder.post(url, { ...fields, _csrf: token });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('Grace');
    }
    // A pupil of one class is nobody in another, even for its own teacher's URLs.
    expect(
      (await owner.post(`/teach/classes/${otherId}/pupils/${pupilId}/password`, {}, { tokenFrom: '/teach' }))
        .statusCode,
    ).toBe(404);
    // Nothing changed.
    expect(await codeOf(owner, id)).toBe(code);
    expect((await owner.get(base)).body).toContain('Grace');
    // Each pupil sees their own class only.
    const mine = (await pupil.get('/me')).body;
    expect(mine).toContain('Seconde 7');
    expect(mine).not.toContain('Seconde 8');
    const theirs = (await otherPupil.get('/me')).body;
    expect(theirs).toContain('Seconde 8');
    expect(theirs).not.toContain('Seconde 7');
    expect(theirs).not.toContain('Grace');
  });

  it('refuses every form without its CSRF token', async () => {
    const { agent: owner, user } = await teacher();
    const { id, code } = await newClass(owner, 'CSRF');
    const { sheet } = await roster(owner, id, { names: 'Eve' });
    const pupilId = (
      await t.db.kysely
        .selectFrom('users')
        .select('id')
        .where('email', '=', sheet[0]!.identifier)
        .executeTakeFirstOrThrow()
    ).id;
    const { agent: admin } = await person({ admin: true });
    const forms: [Agent, string, Record<string, string>][] = [
      [owner, '/teach/request', { school: 'x' }],
      [owner, '/teach/classes', { name: 'N', school_year: YEAR, level: 'seconde' }],
      [owner, `/teach/classes/${id}`, { name: 'N', school_year: YEAR, level: 'seconde' }],
      [owner, `/teach/classes/${id}/code`, { action: 'regenerate' }],
      [owner, `/teach/classes/${id}/teachers`, { email: 'x@example.org' }],
      [owner, `/teach/classes/${id}/leave`, {}],
      [owner, `/teach/classes/${id}/pupils`, { names: 'Mallory' }],
      [owner, `/teach/classes/${id}/pupils/${pupilId}/password`, {}],
      [owner, `/teach/classes/${id}/pupils/${pupilId}/remove`, { confirm: '1' }],
      [owner, `/teach/classes/${id}/delete`, { confirm_name: 'CSRF' }],
      [owner, '/join', { code }],
      [owner, `/join/${code}`, {}],
      [admin, '/admin/teachers', { email: 'x@example.org' }],
      [admin, `/admin/teachers/${user.id}/revoke`, {}],
    ];
    for (const [agent, url, fields] of forms) {
      expect((await agent.post(url, { ...fields, _csrf: 'x'.repeat(43) })).statusCode, url).toBe(403);
      // A cross-site post with the right token is refused too.
      const token = await agent.csrf('/me');
      expect(
        (await agent.post(url, { ...fields, _csrf: token }, { headers: { 'sec-fetch-site': 'cross-site' } }))
          .statusCode,
        url,
      ).toBe(403);
    }
    expect(await codeOf(owner, id)).toBe(code);
    expect((await owner.get(`/teach/classes/${id}`)).body).toContain('Eve');
  });

  it('limits code guessing per account and per address; a right code spends nothing', async () => {
    const { agent: owner } = await teacher();
    const { code } = await newClass(owner, 'Limites');
    const ip = `10.9.${Math.floor(Math.random() * 250)}.1`;
    const guess = (i: number) => {
      const c = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
      return `Z${c[i % 32]}${c[Math.floor(i / 32) % 32]}Z2Z`;
    };
    const { agent: a } = await person({ ip });
    // Right codes cost nothing.
    for (let i = 0; i < 12; i++) expect((await a.get(`/join/${code}`)).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await a.get(`/join/${guess(i)}`)).statusCode).toBe(404);
    const stopped = await a.get(`/join/${guess(10)}`);
    expect(stopped.statusCode).toBe(429);
    expect(stopped.headers['retry-after']).toBeDefined();
    expect(stopped.body).toContain('Trop de codes essayés');
    // Throttled, even the right code is refused (the answer must not tell a guesser they are right).
    expect((await a.get(`/join/${code}`)).statusCode).toBe(429);
    // Other accounts behind the same address: 30 failures in all.
    const { agent: b } = await person({ ip });
    const { agent: c } = await person({ ip });
    for (let i = 0; i < 10; i++) expect((await b.get(`/join/${guess(100 + i)}`)).statusCode).toBe(404);
    for (let i = 0; i < 10; i++) expect((await c.get(`/join/${guess(200 + i)}`)).statusCode).toBe(404);
    const { agent: d } = await person({ ip });
    expect((await d.get(`/join/${guess(300)}`)).statusCode).toBe(429);
    expect((await d.post(`/join/${code}`, {}, { tokenFrom: '/me' })).statusCode).toBe(429);
    // Elsewhere, and after the window, joining works.
    const { agent: e } = await person();
    expect((await e.get(`/join/${code}`)).statusCode).toBe(200);
    now = new Date(now.getTime() + 16 * 60 * 1000);
    expect((await d.post(`/join/${code}`, {}, { tokenFrom: '/me' })).headers['location']).toBe('/me?notice=joined');
  });

  it('deletes a class at the end of the year: every trace of its pseudonymous pupils goes, own accounts only leave', async () => {
    const { agent: owner } = await teacher();
    const { id, code } = await newClass(owner, 'Fin d’année');
    const { sheet } = await roster(owner, id, { names: 'Pupil One\nPupil Two' });
    const { user: own, agent: ownAgent } = await person();
    await ownAgent.post(`/join/${code}`, {}, { tokenFrom: '/me' });
    // A pupil of the class joined another class too: deleting this one still deletes the account.
    const { agent: other } = await teacher();
    const { id: otherId, code: otherCode } = await newClass(other, 'Autre classe');

    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const item = (await selectOptionalItemByRoute(t.db.kysely, live.id, NOTEBOOK))!;
    const cell = (JSON.parse(item.meta) as { codeCells: { id: string; source: string }[] }).codeCells[0]!;
    const ids: number[] = [];
    let threadId = 0;
    for (const [i, card] of sheet.entries()) {
      const pupil = new Agent(app);
      // A failed login leaves a counter naming the account.
      expect((await pupil.login(card.identifier, 'not the password')).statusCode).toBe(401);
      expect((await pupil.login(card.identifier, card.password)).statusCode).toBe(303);
      ids.push((await pupil.session()).user!.id);
      if (i === 0) await pupil.post(`/join/${otherCode}`, {}, { tokenFrom: '/me' });
      const saved = await pupil.json(
        'PUT',
        `/api/work/demo/${NOTEBOOK}/cells/${encodeURIComponent(cell.id)}`,
        { code: 'x = 1', original: cell.source, baseVersion: 0 },
        { csrf: true },
      );
      expect(saved.statusCode).toBe(200);
      expect(
        (await pupil.json('PUT', `/api/progress/demo/${NOTEBOOK}`, { state: 'done', reason: 'button' }, { csrf: true }))
          .statusCode,
      ).toBe(200);
      const enrol = await pupil.get('/courses/demo');
      expect(enrol.statusCode).toBe(200);
      if (i === 0) {
        const asked = await pupil.post(
          '/courses/demo/forum',
          { kind: 'question', topic: 'general', title: 'Ma question', body: 'Le texte de la question.' },
          { tokenFrom: '/courses/demo/forum/new' },
        );
        expect(asked.statusCode, asked.body.slice(0, 300)).toBe(303);
        threadId = Number(/threads\/(\d+)/.exec(String(asked.headers['location']))![1]);
      }
    }
    const ownSaved = await ownAgent.json(
      'PUT',
      `/api/work/demo/${NOTEBOOK}/cells/${encodeURIComponent(cell.id)}`,
      { code: 'y = 2', original: cell.source, baseVersion: 0 },
      { csrf: true },
    );
    expect(ownSaved.statusCode).toBe(200);

    // The confirmation step says what goes and what stays, and wants the class's name.
    const confirm = await owner.get(`/teach/classes/${id}/delete`);
    expect(confirm.body).toContain('2 compte(s) d’élève sans e-mail');
    expect(confirm.body).toContain('1 élève(s) avec leur propre compte');
    const mistyped = await owner.post(
      `/teach/classes/${id}/delete`,
      { confirm_name: 'Fin' },
      { tokenFrom: `/teach/classes/${id}/delete` },
    );
    expect(mistyped.statusCode).toBe(400);
    expect((await owner.get(`/teach/classes/${id}`)).statusCode).toBe(200);
    const deleted = await owner.post(
      `/teach/classes/${id}/delete`,
      { confirm_name: 'Fin d’année' },
      { tokenFrom: `/teach/classes/${id}/delete` },
    );
    expect(deleted.headers['location']).toBe('/teach?notice=deleted');
    expect((await owner.get(`/teach/classes/${id}`)).statusCode).toBe(404);

    // Every column that names a user, in every table, holds none of them any more.
    const tables = await t.db.kysely.introspection.getTables();
    const userColumns =
      /^(user_id|author_id|editor_id|reporter_id|resolved_by|muted_by|actor_id|target_user_id|endorsed_by|revoked_by|granted_by|added_by|approved_by|created_by|voter_id|id)$/;
    let checked = 0;
    for (const table of tables) {
      for (const column of table.columns) {
        if (!userColumns.test(column.name) || (column.name === 'id' && table.name !== 'users')) continue;
        const rows = await t.db.kysely
          .selectFrom(table.name as 'users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(column.name as 'id', 'in', ids)
          .executeTakeFirstOrThrow();
        expect(Number(rows.n), `${table.name}.${column.name}`).toBe(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    const counters = await t.db.kysely.selectFrom('rate_limits').select('key').execute();
    for (const card of sheet) expect(counters.map((r) => r.key).join(' ')).not.toContain(card.identifier);
    expect(await t.db.kysely.selectFrom('classes').selectAll().where('id', '=', id).execute()).toEqual([]);
    // The forum keeps the question, anonymised.
    const thread = await t.db.kysely
      .selectFrom('forum_posts')
      .select(['author_id', 'body'])
      .where('thread_id', '=', threadId)
      .executeTakeFirstOrThrow();
    expect(thread.author_id).toBeNull();
    // Nobody logs in with the cards any more.
    for (const card of sheet) expect((await new Agent(app).login(card.identifier, card.password)).statusCode).toBe(401);
    // The pupil with an e-mail keeps their account and their work, out of the class.
    expect((await new Agent(app).login(own.email, own.password)).statusCode).toBe(303);
    expect((await ownAgent.get(`/api/work/demo/${NOTEBOOK}`)).json().cells).toHaveLength(1);
    expect((await ownAgent.get('/me')).body).not.toContain('Fin d’année');
    // The other class lost its member with the account, nothing else.
    expect((await other.get(`/teach/classes/${otherId}`)).body).toContain('Autre classe');
    expect((await other.get(`/teach/classes/${otherId}`)).body).not.toContain('Pupil One');
  });

  it('removes one pupil: a pseudonymous account is deleted, an own account only leaves (with confirmation)', async () => {
    const { agent: owner } = await teacher();
    const { id, code } = await newClass(owner, 'Retraits');
    const { sheet } = await roster(owner, id, { names: 'Solo' });
    const pupilId = (
      await t.db.kysely
        .selectFrom('users')
        .select('id')
        .where('email', '=', sheet[0]!.identifier)
        .executeTakeFirstOrThrow()
    ).id;
    const { user: own, agent: ownAgent } = await person();
    await ownAgent.post(`/join/${code}`, {}, { tokenFrom: '/me' });
    const token = `/teach/classes/${id}`;
    expect((await owner.post(`${token}/pupils/${own.id}/remove`, {}, { tokenFrom: token })).statusCode).toBe(400);
    expect(
      (await owner.post(`${token}/pupils/${own.id}/remove`, { confirm: '1' }, { tokenFrom: token })).headers[
        'location'
      ],
    ).toBe(`${token}?notice=pupil-removed`);
    expect((await new Agent(app).login(own.email, own.password)).statusCode).toBe(303);
    expect(
      (await owner.post(`${token}/pupils/${pupilId}/remove`, { confirm: '1' }, { tokenFrom: token })).headers[
        'location'
      ],
    ).toBe(`${token}?notice=pupil-deleted`);
    expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', pupilId).execute()).toEqual([]);
    expect((await owner.get(token)).body).toContain('Aucun élève pour l’instant.');
  });
});
