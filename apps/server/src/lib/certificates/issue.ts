/**
 * Issuing certificates (ADR 031). A learner who passes a session gets one certificate, at once or
 * from the session's date on, as the session's policy says; never twice (a learner who already
 * has one, valid or revoked, gets no other automatically: after a revocation only staff re-issue).
 *
 * Three paths issue, all idempotent:
 * - the grade hook (`onGradeChange`): every stored grade, from a request, a grading job or a
 *   policy recomputation; nothing is read for a learner who has not passed, and a learner known to
 *   hold a certificate costs nothing either (recomputing 100,000 grades stays cheap);
 * - the `certificates.issue` job: a session's passed learners without one, a page at a time (on
 *   the date, when staff ask, at start for sessions whose date has passed);
 * - lazily, when a learner's certificate area is shown after the date.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Certificate, Database, Run } from '../../db/schema.ts';
import {
  insertCertificateIfNone,
  insertCertificates,
  revokeCertificate,
  selectLearnerCertificates,
  selectPassedWithoutCertificate,
} from '../../models/certificates.ts';
import { selectOptionalLearnerGrade, type LearnerGradeRow } from '../../models/learner-grades.ts';
import { selectOptionalRunById } from '../../models/runs.ts';
import { LruCache } from '../cache.ts';
import { onGradeChange } from '../grades/gradebook.ts';
import { parseGradingPolicy, type GradingPolicy } from '../grades/policy.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { generateCode } from './code.ts';

export const CERTIFICATES_ISSUE = 'certificates.issue';
const payload = z.object({ runId: z.number().int().positive() });

type RunFacts = Pick<Run, 'id' | 'title' | 'version_id' | 'grading'>;

/** Whether the session issues certificates to those who passed, at this moment. */
export function issuesAt(policy: GradingPolicy, now: Date): boolean {
  const { issue, date } = policy.certificates;
  if (issue === 'pass') return true;
  if (issue === 'date') return date !== null && Date.parse(date) <= now.getTime();
  return false;
}

/**
 * Learners known to hold a certificate of a session (`run:user`), per database. Only positive facts are kept, and
 * they never become false (a certificate is revoked, never deleted, except with its account or
 * session), so a stale entry cannot be wrong; a missing one only costs one statement.
 */
const holderCaches = new WeakMap<object, LruCache<string, true>>();
function holdersOf(db: Kysely<Database>): LruCache<string, true> {
  let cache = holderCaches.get(db);
  if (!cache) holderCaches.set(db, (cache = new LruCache<string, true>(200_000)));
  return cache;
}

/** Issues a learner's certificate if they have none; returns its id when one was issued now. */
async function issueOne(
  db: Kysely<Database>,
  run: RunFacts,
  userId: number,
  grade: number,
  now: Date,
): Promise<number | null> {
  const key = `${run.id}:${userId}`;
  const holders = holdersOf(db);
  if (holders.get(key)) return null;
  const policy = parseGradingPolicy(run.grading);
  const id = await insertCertificateIfNone(db, {
    code: generateCode(),
    runId: run.id,
    userId,
    versionId: run.version_id,
    runTitle: run.title,
    grade: policy.certificates.showGrade ? grade : null,
    issuedAt: now.toISOString(),
  });
  holders.set(key, true);
  return id;
}

/** The grade hook: a learner who passed gets their certificate if the session issues now. */
export async function issueOnGradeChange(
  db: Kysely<Database>,
  run: Run,
  row: LearnerGradeRow,
  now: Date,
): Promise<void> {
  if (!row.passed || !issuesAt(parseGradingPolicy(run.grading), now)) return;
  await issueOne(db, run, row.user_id, row.grade, now);
}

/** Lazily, when a learner looks: issues their certificate if they passed and the session issues now. */
export async function issueIfDue(db: Kysely<Database>, run: RunFacts, userId: number, now: Date): Promise<void> {
  if (!issuesAt(parseGradingPolicy(run.grading), now) || holdersOf(db).get(`${run.id}:${userId}`)) return;
  const grade = await selectOptionalLearnerGrade(db, run.id, userId);
  if (grade?.passed) await issueOne(db, run, userId, grade.grade, now);
}

/**
 * Every passed learner of a session without a certificate gets one, `pageSize` at a time (one read
 * and one multi-row insert per page). Returns how many were issued.
 */
export async function issuePassedLearners(
  db: Kysely<Database>,
  run: RunFacts,
  now: Date,
  pageSize = 500,
): Promise<number> {
  const policy = parseGradingPolicy(run.grading);
  if (!issuesAt(policy, now)) return 0;
  const courseTitle =
    (await db.selectFrom('course_versions').select('title').where('id', '=', run.version_id).executeTakeFirst())
      ?.title ?? '';
  let after = 0;
  let issued = 0;
  for (;;) {
    const page = await selectPassedWithoutCertificate(db, run.id, after, pageSize);
    if (page.length === 0) return issued;
    issued += await insertCertificates(
      db,
      page.map((l) => ({
        code: generateCode(),
        run_id: run.id,
        user_id: l.user_id,
        name: l.name,
        course_title: courseTitle,
        run_title: run.title,
        grade: policy.certificates.showGrade ? l.grade : null,
        issued_at: now.toISOString(),
      })),
    );
    after = page.at(-1)!.user_id;
  }
}

/**
 * Replaces a certificate: the old one is revoked (with `reason`), a new one gets a new code, the
 * learner's current printed name and the given grade, in one transaction. A revoked one can be
 * replaced too (staff undoing a revocation). Returns the new one, or null when the learner already
 * has another valid certificate.
 */
export async function reissueCertificate(
  db: Kysely<Database>,
  old: Certificate,
  options: { by: number; reason: string; grade: number | null; runTitle: string; courseTitle: string; now: Date },
): Promise<Certificate | null> {
  try {
    return await replace(db, old, options);
  } catch (error) {
    // Another valid certificate exists (the partial unique index): someone re-issued meanwhile.
    if (await hasValidCertificate(db, old.run_id, old.user_id)) return null;
    throw error;
  }
}

async function hasValidCertificate(db: Kysely<Database>, runId: number, userId: number): Promise<boolean> {
  const [latest] = await selectLearnerCertificates(db, runId, userId);
  return latest !== undefined && latest.revoked_at === null;
}

function replace(
  db: Kysely<Database>,
  old: Certificate,
  options: { by: number; reason: string; grade: number | null; runTitle: string; courseTitle: string; now: Date },
): Promise<Certificate> {
  return db.transaction().execute(async (trx) => {
    // A revoked one stays as it was revoked (its date and reason); a valid one is revoked now.
    await revokeCertificate(trx, old.id, options.by, options.reason, options.now);
    const user = await trx
      .selectFrom('users')
      .select(['display_name', 'certificate_name'])
      .where('id', '=', old.user_id)
      .executeTakeFirstOrThrow();
    return trx
      .insertInto('certificates')
      .values({
        code: generateCode(),
        run_id: old.run_id,
        user_id: old.user_id,
        name: user.certificate_name ?? user.display_name,
        course_title: options.courseTitle,
        run_title: options.runTitle,
        grade: options.grade,
        issued_at: options.now.toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Where a learner stands with a session's certificate. */
export type CertificateStatus =
  | { kind: 'issued'; certificate: Certificate }
  | { kind: 'revoked'; certificate: Certificate }
  /** Passed; the certificate comes on the date. */
  | { kind: 'waiting'; date: string }
  /** Not passed yet: the grade so far (null: nothing graded yet) and what is needed. */
  | { kind: 'progress'; grade: number | null; threshold: number }
  /** The session issues no certificates. */
  | { kind: 'none' };

/** A learner's certificate or how far they are from it (issuing it first when it is due). */
export async function certificateStatus(
  db: Kysely<Database>,
  run: RunFacts,
  userId: number,
  now: Date,
): Promise<CertificateStatus> {
  await issueIfDue(db, run, userId, now);
  const [latest] = await selectLearnerCertificates(db, run.id, userId);
  if (latest) return { kind: latest.revoked_at === null ? 'issued' : 'revoked', certificate: latest };
  const policy = parseGradingPolicy(run.grading);
  if (policy.certificates.issue === 'never') return { kind: 'none' };
  const grade = await selectOptionalLearnerGrade(db, run.id, userId);
  if (grade?.passed && policy.certificates.issue === 'date' && policy.certificates.date) {
    return { kind: 'waiting', date: policy.certificates.date };
  }
  return { kind: 'progress', grade: grade?.grade ?? null, threshold: policy.threshold };
}

const registered = new WeakSet<JobQueue>();

/**
 * Wires certificates into a process: the grade hook (module-wide, once) and the `certificates.issue`
 * job handler on this queue. Called by `buildApp`, so every process that serves or works has both.
 */
export function registerCertificates(jobs: JobQueue, db: Kysely<Database>, clock: () => Date): void {
  onGradeChange(issueOnGradeChange);
  if (registered.has(jobs)) return;
  registered.add(jobs);
  jobs.registerHandler<z.infer<typeof payload>, { issued: number }>(
    CERTIFICATES_ISSUE,
    async ({ runId }) => {
      const run = await selectOptionalRunById(db, runId);
      return { issued: run ? await issuePassedLearners(db, run, clock()) : 0 };
    },
    payload,
  );
}

/**
 * In `carnet serve`: at start and every `everyMs`, queues `certificates.issue` for each session
 * whose certificate date has come (once per session and date in this process; several processes
 * may queue it twice, which is harmless). Returns a stop function.
 */
export function scheduleCertificateDates(
  db: Kysely<Database>,
  jobs: JobQueue,
  clock: () => Date,
  options: { everyMs?: number; log?: { error(o: object, m: string): void } } = {},
): () => void {
  const done = new Set<string>();
  const tick = async (): Promise<void> => {
    const now = clock();
    const runs = await db.selectFrom('runs').select(['id', 'grading']).where('archived', '=', 0).execute();
    for (const run of runs) {
      const policy = parseGradingPolicy(run.grading);
      if (policy.certificates.issue !== 'date' || !issuesAt(policy, now)) continue;
      const key = `${run.id}@${policy.certificates.date}`;
      if (done.has(key)) continue;
      done.add(key);
      await jobs.enqueue(CERTIFICATES_ISSUE, { runId: run.id });
    }
  };
  const run = () => void tick().catch((err: unknown) => options.log?.error({ err }, 'certificate dates'));
  run();
  const timer = setInterval(run, options.everyMs ?? 5 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
