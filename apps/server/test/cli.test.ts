import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, REPO_ROOT } from './fixtures.ts';

// The real command line, as built by `npm run build` (npm test builds first).
const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');

function carnet(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(process.execPath, [CARNET, ...args], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
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
});
