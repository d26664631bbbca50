import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, REPO_ROOT } from './fixtures.ts';

// The real command line, as built by `npm run build` (npm test builds first).
const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');

function carnet(args: string[], env: Record<string, string | undefined> = {}, input?: string) {
  const result = spawnSync(process.execPath, [CARNET, ...args], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('carnet command line', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'carnet-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists its commands', () => {
    const { code, stdout } = carnet(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'import', 'migrate']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(['serve', 'import', 'migrate'])('explains %s and its settings with --help', (command) => {
    const { code, stdout } = carnet([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`carnet ${command}`);
    expect(stdout).toContain('--data-dir');
    expect(stdout).toContain('CARNET_DATA_DIR');
  });

  it('rejects an unknown command or flag with a usage message', () => {
    expect(carnet(['frobnicate']).code).toBe(2);
    const bad = carnet(['import', '--nope', DEMO_COURSE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--nope'");
  });

  it('says which setting is wrong', () => {
    const { code, stderr } = carnet(['serve', '--port', 'abc'], { CARNET_DATA_DIR: dataDir });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT / --port: expected a port number (got "abc")');
  });

  it('checks a course without a database and prints JSON for scripts', () => {
    const { code, stdout } = carnet(['import', DEMO_COURSE, '--check', '--json'], { CARNET_DATA_DIR: dataDir });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ status: 'checked', slug: 'demo-course', errors: [] });
    expect(summary.counts.quizzes).toBe(3);
  });

  it('fails a check with the file, line and column of each error', () => {
    const course = makeCourse({ 'w1/w1-s1-q1-x.quiz': 'Titre\n=====\n\n( ) un\n( ) deux\n' });
    try {
      const { code, stdout } = carnet(['import', course.dir, '--check'], { CARNET_DATA_DIR: dataDir });
      expect(code).toBe(1);
      expect(stdout).toMatch(/FAILED: nothing was written/);
      expect(stdout).toMatch(/w1\/w1-s1-q1-x\.quiz:4:1: error: .*\[quiz\.single-correct-count\]/);
    } finally {
      course.cleanup();
    }
  });
});

describe.each(DIALECTS)('carnet migrate and import on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect, { migrate: false });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('refuses to import before the database is migrated, then migrates and imports', () => {
    const env = { CARNET_DATA_DIR: t.dataDir, DATABASE_URL: t.databaseUrl };
    const early = carnet(['import', DEMO_COURSE, '--slug', 'demo'], env);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('Run "carnet migrate" first');
    expect(carnet(['migrate', '--status'], env).stdout).toContain('pending: 0001-courses');
    const migrated = carnet(['migrate'], env);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('applied 0001-courses');
    expect(carnet(['migrate'], env).stdout).toContain('already up to date');

    const imported = carnet(['import', DEMO_COURSE, '--slug', 'demo'], env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/status +imported: this version is now live/);
    expect(imported.stdout).toMatch(/quizzes +3 files/);
    const again = carnet(['import', DEMO_COURSE, '--slug', 'demo'], env);
    expect(again.stdout).toMatch(/status +unchanged/);
  });

  it('creates the first administrator with the password from standard input, and sessions of a course', async () => {
    const env = { CARNET_DATA_DIR: t.dataDir, DATABASE_URL: t.databaseUrl };
    const created = carnet(
      ['user', 'create', '--email', 'Root@Example.org', '--name', 'Root', '--admin'],
      env,
      'a long admin password\n',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created administrator Root@Example.org');
    const user = await t.db.kysely.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email_key: 'root@example.org', is_admin: 1, display_name: 'Root' });
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const weak = carnet(['user', 'create', '--email', 'weak@example.org', '--name', 'W'], env, 'short\n');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('too short');

    const run = carnet(
      ['run', 'create', 'demo', '--title', 'Automne 2026', '--start', '2026-09-07', '--end', '2026-12-18'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Created session demo/automne-2026');
    const self = carnet(
      ['run', 'create', 'demo', '--title', 'Libre', '--start', '2026-01-01T00:00Z', '--self-paced'],
      env,
    );
    expect(self.code).toBe(0);
    const dup = carnet(['run', 'create', 'demo', '--title', 'Automne 2026', '--start', '2026-09-07'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already has a session "automne-2026"');
    const bad = carnet(['run', 'create', 'demo', '--title', 'X', '--start', '7 sept'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--start: Invalid date');
    const list = JSON.parse(carnet(['run', 'list', '--json'], env).stdout);
    expect(list).toEqual([
      expect.objectContaining({ run: 'libre', mode: 'self-paced', starts_at: '2026-01-01T00:00:00.000Z' }),
      // Midnight in Paris (summer time) is 22:00 UTC the day before.
      expect.objectContaining({
        run: 'automne-2026',
        mode: 'scheduled',
        starts_at: '2026-09-06T22:00:00.000Z',
        enrolled: 0,
      }),
    ]);
    expect(carnet(['run', 'create', '--help']).stdout).toContain('--self-paced');
  });
});
