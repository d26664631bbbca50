/**
 * The teacher's class page (issue 14, ADR 051) for a class of 35 pupils with 20 activities (each
 * opened by every pupil, half of them handed in, a copy of two cells each), on SQLite by default:
 * p50/p99 of `GET /teach/classes/<id>` and of an activity's live table, against `/healthz`
 * measured in the same run (the ratio is what to watch: these machines are noisy). Requests go
 * through `inject()` one after another, after a warm-up. Target: class page p99 < 50 ms.
 *
 *   npx tsx bench/teacher.bench.ts [--database sqlite|postgres] [--requests 500]
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { insertActivity, touchActivityPupil, updateHandedIn } from '../apps/server/src/models/activities.ts';
import { ensureClassMember, ensureClassTeacher, insertClass } from '../apps/server/src/models/classes.ts';
import { selectOptionalLiveVersionBySlug } from '../apps/server/src/models/courses.ts';
import { approveTeacher } from '../apps/server/src/models/teachers.ts';
import { saveCopyCell } from '../apps/server/src/lib/activities/activities.ts';
import { Agent, createUser } from '../apps/server/test/agent.ts';
import { createTestDb, type Dialect } from '../apps/server/test/databases.ts';
import { DEMO_COURSE } from '../apps/server/test/fixtures.ts';

const { values } = parseArgs({
  options: { database: { type: 'string', default: 'sqlite' }, requests: { type: 'string', default: '500' } },
});
const REQUESTS = Number(values.requests);
const PUPILS = 35;
const ACTIVITIES = 20;
const now = new Date('2026-10-05T08:00:00Z');

const t = await createTestDb(values.database as Dialect);
try {
  if ((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors.length > 0) {
    throw new Error('demo course import failed');
  }
  const config = loadConfig({}, { dataDir: t.dataDir, savesPerSecond: '100000' });
  const app = await buildApp({ config, db: t.db, logger: false, clock: () => now });
  const db = t.db.kysely;
  const live = (await selectOptionalLiveVersionBySlug(db, 'demo'))!;
  const teacher = await createUser(t.db, 'teacher@example.org', { name: 'Teacher' });
  await approveTeacher(db, teacher.id, null, now);
  const schoolClass = (await insertClass(
    db,
    { name: 'Seconde 4', schoolYear: '2026-2027', level: 'seconde', joinCode: 'BENCH2', createdBy: teacher.id },
    now,
  ))!;
  await ensureClassTeacher(db, { classId: schoolClass.id, userId: teacher.id, addedBy: null }, now);
  const pupils: number[] = [];
  for (let i = 0; i < PUPILS; i++) {
    const pupil = await createUser(t.db, `pupil${i}@example.org`, { name: `Pupil ${String(i).padStart(2, '0')}` });
    await ensureClassMember(db, { classId: schoolClass.id, userId: pupil.id, via: 'code' }, now);
    pupils.push(pupil.id);
  }
  const activities: number[] = [];
  for (let a = 0; a < ACTIVITIES; a++) {
    const id = await insertActivity(
      db,
      {
        classId: schoolClass.id,
        courseId: live.course_id,
        versionId: live.id,
        route: 'w1/w1-s1-c1-nombres',
        kind: 'notebook',
        title: `TP ${a + 1}`,
        opensAt: '2026-10-01T07:00:00.000Z',
        closesAt: '2026-10-20T16:00:00.000Z',
        mode: 'hand-in',
        createdBy: teacher.id,
      },
      now,
    );
    activities.push(id);
    for (const [i, userId] of pupils.entries()) {
      await touchActivityPupil(db, id, userId, now);
      for (const cell of ['c1', 'c2']) {
        await saveCopyCell(db, { activityId: id, userId, cellId: cell }, { code: `x = ${i}`, original: '' }, 0, now);
      }
      if (i % 2 === 0) await updateHandedIn(db, id, userId, now, now);
    }
  }
  const agent = new Agent(app);
  if ((await agent.login(teacher.email, teacher.password)).statusCode !== 303) throw new Error('login failed');

  async function measure(url: string): Promise<{ p50: number; p99: number }> {
    for (let i = 0; i < 50; i++) await agent.get(url);
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const start = process.hrtime.bigint();
      const res = await agent.get(url);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
    }
    times.sort((x, y) => x - y);
    return { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! };
  }
  const baseline = await measure('/healthz');
  const page = await measure(`/teach/classes/${schoolClass.id}`);
  const table = await measure(`/teach/activities/${activities[0]}/table`);
  const line = (name: string, r: { p50: number; p99: number }) =>
    `${name.padEnd(34)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  ` +
    `(p99 ×${(r.p99 / baseline.p99).toFixed(1)} of /healthz)`;
  console.log(
    `teacher.bench on ${values.database}: ${PUPILS} pupils, ${ACTIVITIES} activities, ${REQUESTS} requests each`,
  );
  console.log(line('/healthz (baseline)', baseline));
  console.log(line('class page /teach/classes/<id>', page));
  console.log(line('live table /teach/activities/<id>/table', table));
  console.log(page.p99 < 50 ? 'class page p99 < 50 ms: ok' : 'class page p99 >= 50 ms: OVER TARGET');
  await app.close();
} finally {
  await t.cleanup();
}
