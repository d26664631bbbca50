import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createMailer, type Mailer } from '../src/lib/auth/mailer.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { Agent, createUser, linkIn, readOutbox } from './agent.ts';

const HOUR = 3600 * 1000;

describe.each(DIALECTS)('accounts and security on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let mailer: Mailer;
  let now = new Date('2026-03-02T08:00:00Z');
  const later = (ms: number) => (now = new Date(now.getTime() + ms));

  beforeAll(async () => {
    t = await createTestDb(dialect);
    const config = loadConfig({}, { dataDir: t.dataDir });
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

  /** Messages sent to `to` since the test started. */
  async function mailTo(to: string) {
    await mailer.idle();
    return readOutbox(t.dataDir).filter((m) => m.to.toLowerCase().includes(to.toLowerCase()));
  }

  it('has handed the confirmation e-mail over when it answers; a mail server that refuses it is a 503, not a lost link', async () => {
    const res = await new Agent(app).post(
      '/signup',
      { name: 'Ada Byron', email: 'ada.byron@example.org', password: 'analytical engine 1843' },
      { tokenFrom: '/signup' },
    );
    expect(res.statusCode).toBe(200);
    // No idle(): the outbox already has it (a server killed now would not lose it).
    expect(readOutbox(t.dataDir).filter((m) => m.to.includes('ada.byron@example.org'))).toHaveLength(1);

    const refusing: Mailer = {
      description: 'refusing',
      send: () => {},
      sendNow: () => Promise.reject(new Error('550 relay denied')),
      idle: () => Promise.resolve(),
    };
    const other = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      logger: false,
      clock: () => now,
      mailer: refusing,
    });
    try {
      const refused = await new Agent(other).post(
        '/signup',
        { name: 'Ada Two', email: 'ada.two@example.org', password: 'analytical engine 1843' },
        { tokenFrom: '/signup' },
      );
      expect(refused.statusCode).toBe(503);
      expect(refused.body).toContain('pas pu envoyer l’e-mail');
    } finally {
      await other.close();
    }
  });

  it('signs up through a confirmation e-mail, then logs out and in again', async () => {
    const browser = new Agent(app);
    const res = await browser.post(
      '/signup',
      { name: 'Grace Hopper', email: 'Grace@Example.org', password: 'cobol forever 1959' },
      { tokenFrom: '/signup' },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Vérifiez votre messagerie');
    const [message] = await mailTo('Grace@Example.org');
    expect(message!.subject).toMatch(/Confirm|=\?UTF-8\?/);
    const confirm = linkIn(message!, '/signup/confirm/');
    // Nothing exists until the link is used, and opening it (a mail scanner would) creates nothing.
    expect((await browser.get(confirm)).body).toContain('Grace@Example.org');
    expect((await browser.login('grace@example.org', 'cobol forever 1959')).statusCode).toBe(401);
    const created = await browser.post(confirm, {}, { tokenFrom: confirm });
    expect(created.statusCode).toBe(303);
    const me = await browser.get('/me');
    expect(me.statusCode).toBe(200);
    expect(me.body).toContain('Bonjour Grace Hopper');
    // The link is single-use.
    expect((await browser.get(confirm)).statusCode).toBe(400);

    expect((await browser.post('/logout', {}, { tokenFrom: '/me' })).statusCode).toBe(303);
    expect((await browser.get('/me')).statusCode).toBe(303);
    // Addresses compare case-insensitively.
    expect((await browser.login('GRACE@example.ORG', 'cobol forever 1959')).headers['location']).toBe('/me');
  });

  it('answers a sign-up for a taken address exactly like a new one, and tells the owner by e-mail', async () => {
    await createUser(t.db, 'taken@example.org');
    const body = (email: string) =>
      new Agent(app)
        .post('/signup', { name: 'X', email, password: 'another long password' }, { tokenFrom: '/signup' })
        .then((r) => [r.statusCode, r.body.replace(email, 'ADDRESS').replace(/value="[^"]*"/g, '')]);
    expect(await body('taken@example.org')).toEqual(await body('fresh@example.org'));
    const [notice] = await mailTo('taken@example.org');
    expect(notice!.text).toContain('/password/forgot');
    expect(notice!.text).not.toContain('/signup/confirm/');
  });

  it('gives one generic message for an unknown address and for a wrong password', async () => {
    await createUser(t.db, 'known@example.org');
    const unknown = await new Agent(app).login('nobody@example.org', 'whatever password');
    const wrong = await new Agent(app).login('known@example.org', 'whatever password');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const alert = (html: string) => /role="alert"><p>([^<]*)</.exec(html)?.[1];
    expect(alert(unknown.body)).toBe('Adresse e-mail ou mot de passe incorrect.');
    expect(alert(wrong.body)).toBe(alert(unknown.body));
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, Secure with a __Host- name over HTTPS', async () => {
    const user = await createUser(t.db, 'cookie@example.org');
    const res = await new Agent(app).login(user.email, user.password);
    const cookie = [res.headers['set-cookie']].flat().find((c) => c!.startsWith('carnet_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const secureApp = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir, trustProxy: 'true' }),
      db: t.db,
      logger: false,
    });
    try {
      const https = { 'x-forwarded-proto': 'https' };
      const page = await secureApp.inject({ method: 'GET', url: '/login', headers: https });
      const csrfCookie = String(page.headers['set-cookie']).split(';')[0]!;
      expect(csrfCookie).toMatch(/^__Host-carnet_csrf=/);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const login = await secureApp.inject({
        method: 'POST',
        url: '/login',
        headers: { ...https, cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: token, email: user.email, password: user.password }).toString(),
      });
      expect(login.statusCode).toBe(303);
      const session = [login.headers['set-cookie']].flat().find((c) => c!.startsWith('__Host-carnet_session='))!;
      expect(session).toMatch(/; Secure/);
      expect(session).toMatch(/HttpOnly/);
    } finally {
      await secureApp.close();
    }
  });

  describe('CSRF', () => {
    it('refuses a login form posted without its token, or with a token from another browser', async () => {
      const user = await createUser(t.db, 'csrf-login@example.org');
      const victim = new Agent(app);
      await victim.get('/login');
      const missing = await victim.post('/login', { email: user.email, password: user.password, _csrf: '' });
      expect(missing.statusCode).toBe(403);
      expect(missing.body).toContain('Formulaire expiré');
      const attacker = new Agent(app);
      const foreign = await victim.post('/login', {
        email: user.email,
        password: user.password,
        _csrf: await attacker.csrf('/login'),
      });
      expect(foreign.statusCode).toBe(403);
      expect(victim.cookies.has('carnet_session')).toBe(false);
    });

    it('refuses a logged-in change without the session token, or coming from another site', async () => {
      const user = await createUser(t.db, 'csrf-account@example.org', { name: 'Before' });
      const browser = new Agent(app);
      await browser.login(user.email, user.password);
      const noToken = await browser.post('/account/profile', { name: 'Hacked', _csrf: '' });
      expect(noToken.statusCode).toBe(403);
      const token = await browser.csrf('/account');
      const crossSite = await browser.post(
        '/account/profile',
        { name: 'Hacked', _csrf: token },
        { headers: { 'sec-fetch-site': 'cross-site' } },
      );
      expect(crossSite.statusCode).toBe(403);
      const otherOrigin = await browser.post(
        '/account/profile',
        { name: 'Hacked', _csrf: token },
        { headers: { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' } },
      );
      expect(otherOrigin.statusCode).toBe(403);
      expect((await browser.get('/account')).body).toContain('value="Before"');
      // The same form with its token and from this site works.
      const ok = await browser.post(
        '/account/profile',
        { name: 'After', _csrf: token },
        { headers: { origin: 'http://localhost:80' } },
      );
      expect(ok.statusCode).toBe(303);
      expect((await browser.get('/account')).body).toContain('value="After"');
    });

    it('refuses an anonymous CSRF token on a logged-in session (it is tied to the session)', async () => {
      const user = await createUser(t.db, 'csrf-anon@example.org');
      const browser = new Agent(app);
      const anonymousToken = await browser.csrf('/login');
      await browser.login(user.email, user.password);
      const res = await browser.post('/logout', { _csrf: anonymousToken });
      expect(res.statusCode).toBe(403);
      expect((await browser.get('/me')).statusCode).toBe(200);
    });
  });

  it('rotates the session id at login: a planted session cookie is never the victim’s session (fixation)', async () => {
    const attackerUser = await createUser(t.db, 'fixer@example.org');
    const victimUser = await createUser(t.db, 'fixed@example.org', { name: 'Victim' });
    const attacker = new Agent(app);
    await attacker.login(attackerUser.email, attackerUser.password);
    const planted = attacker.cookies.get('carnet_session')!;

    const victim = new Agent(app);
    victim.cookies.set('carnet_session', planted);
    // With the planted cookie the login form's token is the attacker's session token, which they know.
    const login = await victim.post(
      '/login',
      { email: victimUser.email, password: victimUser.password },
      { tokenFrom: '/me' },
    );
    expect(login.statusCode).toBe(303);
    const issued = victim.cookies.get('carnet_session')!;
    expect(issued).not.toBe(planted);
    expect((await victim.get('/me')).body).toContain('Bonjour Victim');
    // The planted id is dead, and does not lead to the victim's account.
    const replay = await app.inject({ method: 'GET', url: '/me', headers: { cookie: `carnet_session=${planted}` } });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers['location']).toBe('/login?next=%2Fme');

    // An arbitrary value chosen by an attacker is replaced too.
    const chosen = 'A'.repeat(43);
    const other = new Agent(app);
    other.cookies.set('carnet_session', chosen);
    await other.login(victimUser.email, victimUser.password);
    expect(other.cookies.get('carnet_session')).not.toBe(chosen);
  });

  it('deletes the session row at logout, so a copied cookie stops working', async () => {
    const user = await createUser(t.db, 'logout@example.org');
    const browser = new Agent(app);
    await browser.login(user.email, user.password);
    const copy = browser.cookies.get('carnet_session')!;
    const before = await t.db.kysely
      .selectFrom('auth_sessions')
      .select('id_hash')
      .where('user_id', '=', user.id)
      .execute();
    expect(before).toHaveLength(1);
    // The cookie holds the token; the database holds only its hash.
    expect(before[0]!.id_hash).not.toContain(copy);
    await browser.post('/logout', {}, { tokenFrom: '/me' });
    expect(
      await t.db.kysely.selectFrom('auth_sessions').select('id_hash').where('user_id', '=', user.id).execute(),
    ).toHaveLength(0);
    const replay = await app.inject({ method: 'GET', url: '/me', headers: { cookie: `carnet_session=${copy}` } });
    expect(replay.statusCode).toBe(303);
  });

  it('ends a session after a week without visits, and after 30 days whatever the activity', async () => {
    const user = await createUser(t.db, 'expiry@example.org');
    const idle = new Agent(app);
    await idle.login(user.email, user.password);
    later(6 * 24 * HOUR);
    expect((await idle.get('/me')).statusCode).toBe(200);
    later(6 * 24 * HOUR);
    expect((await idle.get('/me')).statusCode).toBe(200);
    later(7 * 24 * HOUR + 60_000);
    expect((await idle.get('/me')).statusCode).toBe(303);

    const busy = new Agent(app);
    await busy.login(user.email, user.password);
    for (let day = 1; day < 30; day++) {
      later(24 * HOUR);
      expect((await busy.get('/me')).statusCode).toBe(200);
    }
    later(24 * HOUR);
    expect((await busy.get('/me')).statusCode).toBe(303);
  });

  it('throttles password guessing on an account: 429, even for the right password, until the window ends', async () => {
    const user = await createUser(t.db, 'target@example.org');
    const guesser = new Agent(app);
    for (let i = 0; i < 10; i++) expect((await guesser.login(user.email, `guess number ${i}`)).statusCode).toBe(401);
    const blocked = await guesser.login(user.email, user.password);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Trop de tentatives');
    // From another address too: the limit protects the account, not the connection.
    expect((await new Agent(app).login(user.email, user.password)).statusCode).toBe(429);
    later(16 * 60 * 1000);
    expect((await new Agent(app).login(user.email, user.password)).statusCode).toBe(303);
  });

  it('throttles one address trying many accounts', async () => {
    const sprayer = new Agent(app, '192.0.2.77');
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++)
      statuses.push((await sprayer.login(`user${i}@example.org`, 'Password123!')).statusCode);
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
    later(16 * 60 * 1000);
  });

  it('counts failures only: a classroom behind one address logs in, and an attacker there is still held', async () => {
    const classroom = '198.51.100.30';
    const pupils = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        createUser(t.db, `pupil${i}@school.example`, { password: `pupil ${i} pass` }),
      ),
    );
    // The lesson starts: every pupil logs in at once, then again after the break.
    for (let round = 0; round < 2; round++) {
      const statuses = await Promise.all(pupils.map((p) => new Agent(app, classroom).login(p.email, p.password)));
      expect(statuses.map((r) => r.statusCode)).toEqual(pupils.map(() => 303));
    }
    // 80 successes spent nothing: an attacker at the same address gets the whole failure budget…
    const attacker = new Agent(app, classroom);
    for (let i = 0; i < 100; i++)
      expect((await attacker.login(`pupil${i % 40}@school.example`, `guess ${i}`)).statusCode).toBe(401);
    // …and no more.
    expect((await attacker.login('pupil0@school.example', 'one more guess')).statusCode).toBe(429);
    expect((await new Agent(app, classroom).login(pupils[1]!.email, pupils[1]!.password)).statusCode).toBe(429);
    // Held back by the address's limit, the attacker adds nothing to the accounts' counters.
    for (let i = 0; i < 20; i++) await attacker.login('pupil39@school.example', `held ${i}`);
    expect((await new Agent(app).login(pupils[39]!.email, pupils[39]!.password)).statusCode).toBe(303);
    later(16 * 60 * 1000);
    expect((await new Agent(app, classroom).login(pupils[1]!.email, pupils[1]!.password)).statusCode).toBe(303);
  });

  it('does not count a right current password against the account: twelve password changes in a row', async () => {
    const user = await createUser(t.db, 'often@example.org');
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    let current = user.password;
    for (let i = 0; i < 12; i++) {
      const next = `password number ${i}`;
      const res = await agent.post('/account/password', { current, password: next }, { tokenFrom: '/account' });
      expect(res.statusCode).toBe(303);
      current = next;
    }
    // Failures still count: 10, then even the right one waits.
    for (let i = 0; i < 10; i++) {
      const res = await agent.post(
        '/account/password',
        { current: `no ${i}`, password: 'a fine new passphrase' },
        { tokenFrom: '/account' },
      );
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Ce n&#39;est pas le bon mot de passe.');
    }
    expect((await new Agent(app).login(user.email, current)).statusCode).toBe(429);
    later(16 * 60 * 1000);
  });

  it('throttles sign-ups and reset requests', async () => {
    const bot = new Agent(app, '192.0.2.88');
    const resets: number[] = [];
    for (let i = 0; i < 6; i++) {
      resets.push(
        (await bot.post('/password/forgot', { email: 'someone@example.org' }, { tokenFrom: '/password/forgot' }))
          .statusCode,
      );
    }
    expect(resets).toEqual([200, 200, 200, 200, 200, 429]);
    const signups: number[] = [];
    for (let i = 0; i < 21; i++) {
      signups.push(
        (
          await bot.post(
            '/signup',
            { name: 'Bot', email: `bot${i}@example.org`, password: 'a long enough one' },
            { tokenFrom: '/signup' },
          )
        ).statusCode,
      );
    }
    expect(signups.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(signups[20]).toBe(429);
  });

  describe('password reset', () => {
    it('resets by e-mail link, once: other sessions end, the link cannot be reused', async () => {
      const user = await createUser(t.db, 'forgetful@example.org', { name: 'Forgetful' });
      const otherDevice = new Agent(app);
      await otherDevice.login(user.email, user.password);
      const browser = new Agent(app);
      const sent = await browser.post(
        '/password/forgot',
        { email: 'FORGETFUL@example.org' },
        { tokenFrom: '/password/forgot' },
      );
      expect(sent.body).toContain('Si un compte utilise');
      const [message] = await mailTo('forgetful@example.org');
      const link = linkIn(message!, '/password/reset/');
      expect((await browser.get(link)).statusCode).toBe(200);
      const done = await browser.post(link, { password: 'a brand new secret' }, { tokenFrom: link });
      expect(done.statusCode).toBe(303);
      expect((await browser.get('/me')).body).toContain('Bonjour Forgetful');
      expect((await otherDevice.get('/me')).statusCode).toBe(303);
      // Reuse: refused, and the password stays the one chosen.
      expect((await browser.get(link)).statusCode).toBe(400);
      const reuse = await new Agent(app).post(link, { password: 'attacker chosen pw' }, { tokenFrom: '/login' });
      expect(reuse.statusCode).toBe(400);
      expect(reuse.body).toContain('Lien invalide');
      expect((await new Agent(app).login(user.email, 'attacker chosen pw')).statusCode).toBe(401);
      expect((await new Agent(app).login(user.email, 'a brand new secret')).statusCode).toBe(303);
      expect((await new Agent(app).login(user.email, user.password)).statusCode).toBe(401);
    });

    it('refuses an expired reset link', async () => {
      await createUser(t.db, 'slow@example.org');
      const browser = new Agent(app);
      await browser.post('/password/forgot', { email: 'slow@example.org' }, { tokenFrom: '/password/forgot' });
      const link = linkIn((await mailTo('slow@example.org'))[0]!, '/password/reset/');
      later(61 * 60 * 1000);
      expect((await browser.get(link)).statusCode).toBe(400);
      const res = await browser.post(link, { password: 'too late for this' }, { tokenFrom: '/login' });
      expect(res.statusCode).toBe(400);
    });

    it('sends nothing for an unknown address, and says the same thing', async () => {
      const browser = new Agent(app);
      const res = await browser.post(
        '/password/forgot',
        { email: 'ghost@example.org' },
        { tokenFrom: '/password/forgot' },
      );
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Si un compte utilise');
      expect(await mailTo('ghost@example.org')).toEqual([]);
    });
  });

  it('changes the password: the current one is checked and other sessions end', async () => {
    const user = await createUser(t.db, 'changer@example.org');
    const laptop = new Agent(app);
    const phone = new Agent(app);
    await laptop.login(user.email, user.password);
    await phone.login(user.email, user.password);
    const wrong = await laptop.post(
      '/account/password',
      { current: 'not it at all', password: 'new password here' },
      { tokenFrom: '/account' },
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/aria-invalid="true"/);
    const ok = await laptop.post(
      '/account/password',
      { current: user.password, password: 'new password here' },
      { tokenFrom: '/account' },
    );
    expect(ok.statusCode).toBe(303);
    expect((await laptop.get('/me')).statusCode).toBe(200);
    expect((await phone.get('/me')).statusCode).toBe(303);
    expect((await new Agent(app).login(user.email, 'new password here')).statusCode).toBe(303);
  });

  it('rejects weak passwords with a message tied to the field', async () => {
    const res = await new Agent(app).post(
      '/signup',
      { name: 'Weak', email: 'weak@example.org', password: 'short' },
      { tokenFrom: '/signup' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/aria-describedby="f-password-hint f-password-error"/);
    expect(res.body).toContain('trop court');
    // What was typed comes back, except the password.
    expect(res.body).toContain('value="weak@example.org"');
    expect(res.body).not.toContain('value="short"');
  });

  it('exports my data as JSON, without secrets', async () => {
    const user = await createUser(t.db, 'exporter@example.org', { name: 'Exporter' });
    const browser = new Agent(app);
    await browser.login(user.email, user.password);
    const res = await browser.get('/account/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="carnet-.*\.json"/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const data = res.json();
    expect(data.account).toMatchObject({ email: 'exporter@example.org', display_name: 'Exporter' });
    expect(data.sessions).toHaveLength(1);
    expect(res.body).not.toMatch(/argon2|password_hash|csrf|id_hash/);
    expect((await new Agent(app).get('/account/export')).statusCode).toBe(303);
  });

  it('deletes my account after checking my password', async () => {
    const user = await createUser(t.db, 'leaver@example.org');
    const browser = new Agent(app);
    await browser.login(user.email, user.password);
    const wrong = await browser.post(
      '/account/delete',
      { confirm_password: 'nope nope nope' },
      { tokenFrom: '/account' },
    );
    expect(wrong.statusCode).toBe(400);
    const gone = await browser.post('/account/delete', { confirm_password: user.password }, { tokenFrom: '/account' });
    expect(gone.statusCode).toBe(200);
    expect(gone.body).toContain('Compte supprimé');
    expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', user.id).execute()).toEqual([]);
    expect(
      await t.db.kysely.selectFrom('auth_sessions').select('id_hash').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    expect((await browser.get('/me')).statusCode).toBe(303);
    expect((await new Agent(app).login(user.email, user.password)).statusCode).toBe(401);
  });

  it('will not let the last administrator delete their account', async () => {
    const admin = await createUser(t.db, 'only-admin@example.org', { admin: true });
    const browser = new Agent(app);
    await browser.login(admin.email, admin.password);
    const res = await browser.post('/account/delete', { confirm_password: admin.password }, { tokenFrom: '/account' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('seul administrateur');
  });

  it('shows log in and sign up to visitors, and the reader’s name and a logout button once logged in', async () => {
    const anonymous = await new Agent(app).get('/courses/nope');
    expect(anonymous.body).toContain('href="/signup"');
    const user = await createUser(t.db, 'header@example.org', { name: 'Header <b>Tester</b>' });
    const browser = new Agent(app);
    await browser.login(user.email, user.password);
    const page = await browser.get('/');
    expect(page.body).toContain('Header &lt;b&gt;Tester&lt;/b&gt;');
    expect(page.body).toMatch(/<form method="post" action="\/logout"/);
    expect(page.headers['cache-control']).toBe('private, no-store');
  });
});
