import { sql, type Kysely } from 'kysely';
import type { Certificate, Database } from '../db/schema.ts';

/** A certificate with what its pages link to: the course's slug and the session's slug. */
export type CertificateWithRun = Certificate & { course_slug: string; run_slug: string; course_id: number };

function withRun(db: Kysely<Database>) {
  return db
    .selectFrom('certificates')
    .innerJoin('runs', 'runs.id', 'certificates.run_id')
    .innerJoin('courses', 'courses.id', 'runs.course_id')
    .selectAll('certificates')
    .select(['courses.slug as course_slug', 'runs.slug as run_slug', 'courses.id as course_id']);
}

/** The certificate with this (canonical) code, or null. */
export async function selectOptionalCertificateByCode(
  db: Kysely<Database>,
  code: string,
): Promise<CertificateWithRun | null> {
  return (await withRun(db).where('certificates.code', '=', code).executeTakeFirst()) ?? null;
}

/** The certificate with this id in a session, or null. */
export async function selectOptionalRunCertificate(
  db: Kysely<Database>,
  runId: number,
  id: number,
): Promise<Certificate | null> {
  return (
    (await db
      .selectFrom('certificates')
      .selectAll()
      .where('run_id', '=', runId)
      .where('id', '=', id)
      .executeTakeFirst()) ?? null
  );
}

/** A learner's certificates in a session, the valid one (if any) first, then newest first. */
export async function selectLearnerCertificates(
  db: Kysely<Database>,
  runId: number,
  userId: number,
): Promise<Certificate[]> {
  return db
    .selectFrom('certificates')
    .selectAll()
    .where('user_id', '=', userId)
    .where('run_id', '=', runId)
    .orderBy(sql`case when revoked_at is null then 0 else 1 end`)
    .orderBy('id', 'desc')
    .execute();
}

/** Every certificate of a user, for their data export. */
export async function selectUserCertificates(db: Kysely<Database>, userId: number): Promise<CertificateWithRun[]> {
  return withRun(db).where('certificates.user_id', '=', userId).orderBy('certificates.id').execute();
}

export type CertificateListRow = Certificate & { email: string };

/**
 * A page of a session's certificates, newest first, before the id `beforeId` (keyset paging: the
 * same cost on page 1 and page 1,000). `query`: a code (canonical) or an e-mail key.
 */
export async function selectRunCertificatePage(
  db: Kysely<Database>,
  runId: number,
  options: { beforeId?: number | undefined; limit: number; code?: string | undefined; emailKey?: string | undefined },
): Promise<CertificateListRow[]> {
  let q = db
    .selectFrom('certificates')
    .innerJoin('users', 'users.id', 'certificates.user_id')
    .selectAll('certificates')
    .select('users.email')
    .where('certificates.run_id', '=', runId);
  if (options.beforeId !== undefined) q = q.where('certificates.id', '<', options.beforeId);
  if (options.code !== undefined) q = q.where('certificates.code', '=', options.code);
  if (options.emailKey !== undefined) q = q.where('users.email_key', '=', options.emailKey);
  return q.orderBy('certificates.id', 'desc').limit(options.limit).execute();
}

/** How many certificates a session has: valid and revoked. */
export async function countRunCertificates(
  db: Kysely<Database>,
  runId: number,
): Promise<{ valid: number; revoked: number }> {
  const row = await db
    .selectFrom('certificates')
    .select([
      sql<number>`sum(case when revoked_at is null then 1 else 0 end)`.as('valid'),
      sql<number>`sum(case when revoked_at is null then 0 else 1 end)`.as('revoked'),
    ])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return { valid: Number(row.valid ?? 0), revoked: Number(row.revoked ?? 0) };
}

/**
 * Issues a certificate to a learner of a session unless they already have one, valid or revoked
 * (one statement: the check and the insert cannot be split by another writer; the partial unique
 * index settles two concurrent inserts). Returns the new row's id, or null when none was issued.
 */
export async function insertCertificateIfNone(
  db: Kysely<Database>,
  values: {
    code: string;
    runId: number;
    userId: number;
    versionId: number;
    runTitle: string;
    grade: number | null;
    issuedAt: string;
  },
): Promise<number | null> {
  const { code, runId, userId, versionId, runTitle, grade, issuedAt } = values;
  const result = await sql<{ id: number }>`
    insert into certificates (code, run_id, user_id, name, course_title, run_title, grade, issued_at)
    select ${code}, cast(${runId} as integer), users.id, coalesce(users.certificate_name, users.display_name),
      coalesce((select title from course_versions where id = cast(${versionId} as integer)), ''),
      ${runTitle}, cast(${grade} as double precision), ${issuedAt}
    from users
    where users.id = cast(${userId} as integer)
      and not exists (select 1 from certificates c where c.run_id = cast(${runId} as integer) and c.user_id = users.id)
    on conflict do nothing
    returning id`.execute(db);
  return result.rows[0]?.id ?? null;
}

/** A page of a session's passed learners who have no certificate at all (user id order), with their printed name. */
export async function selectPassedWithoutCertificate(
  db: Kysely<Database>,
  runId: number,
  afterUserId: number,
  limit: number,
): Promise<{ user_id: number; grade: number; name: string }[]> {
  return db
    .selectFrom('learner_grades')
    .innerJoin('users', 'users.id', 'learner_grades.user_id')
    .select([
      'learner_grades.user_id',
      'learner_grades.grade',
      sql<string>`coalesce(users.certificate_name, users.display_name)`.as('name'),
    ])
    .where('learner_grades.run_id', '=', runId)
    .where('learner_grades.passed', '=', 1)
    .where('learner_grades.user_id', '>', afterUserId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('certificates')
            .select('certificates.id')
            .whereRef('certificates.run_id', '=', 'learner_grades.run_id')
            .whereRef('certificates.user_id', '=', 'learner_grades.user_id'),
        ),
      ),
    )
    .orderBy('learner_grades.user_id')
    .limit(limit)
    .execute();
}

/** Inserts certificates; rows that would make a second valid one are skipped. Returns how many were inserted. */
export async function insertCertificates(
  db: Kysely<Database>,
  rows: Omit<Certificate, 'id' | 'revoked_at' | 'revoked_by' | 'revoke_reason'>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db
    .insertInto('certificates')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Revokes a valid certificate; false when it was not valid (already revoked). */
export async function revokeCertificate(
  db: Kysely<Database>,
  id: number,
  by: number | null,
  reason: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('certificates')
    .set({ revoked_at: now.toISOString(), revoked_by: by, revoke_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores (or clears, with null) the name a learner wants printed. */
export async function updateCertificateName(
  db: Kysely<Database>,
  userId: number,
  name: string | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ certificate_name: name, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .execute();
}
