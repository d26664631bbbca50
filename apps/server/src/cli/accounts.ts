import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Config } from '../config.ts';
import { translator } from '../i18n/index.ts';
import { hashPassword, passwordProblem } from '../lib/auth/passwords.ts';
import type { Run } from '../db/schema.ts';
import { checkGradingInput, gradingInputOf, versionWeeks } from '../lib/grades/form.ts';
import { versionExercises, type ExerciseFacts } from '../lib/grades/gradebook.ts';
import { parseGradingPolicy, weekDueAt } from '../lib/grades/policy.ts';
import { setRunPolicies } from '../lib/grades/recompute.ts';
import { DbJobQueue } from '../lib/jobs/db-queue.ts';
import { toLocalInput } from '../lib/runs/dates.ts';
import { checkRunInput, createRun, moveRunToVersion } from '../lib/runs/runs.ts';
import { selectOptionalCourseBySlug } from '../models/courses.ts';
import { selectAllRuns, selectOptionalRunBySlug } from '../models/runs.ts';
import { insertUser, selectOptionalUserByEmail, updateIsAdmin, updatePasswordHash } from '../models/users.ts';
import { DB_SETTINGS, requireMigrated, withDb, type Command, type Flags } from './common.ts';
import { isPupilIdentifier } from '../lib/classes/codes.ts';
import { approveTeacher, deleteTeacher } from '../models/teachers.ts';

/** Command-line messages are in English, like the rest of the command line. */
const t = translator('en');

const str = (flags: Flags, name: string): string | undefined =>
  typeof flags[name] === 'string' ? (flags[name] as string) : undefined;

/** A password from --password-file, else standard input (piped), else a prompt that does not echo. */
async function readPassword(flags: Flags): Promise<string> {
  const file = str(flags, 'password-file');
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      process.stdout.write(question);
      const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
      const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
      rl.question('', (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const again = await ask('Password again: ');
  if (first !== again) throw new UsageError('the two passwords differ.');
  return first;
}

class UsageError extends Error {}

function usage(name: string, command: Command, message: string): number {
  console.error(`carnet ${name}: ${message}\n\nUsage: ${command.usage}\nRun "carnet ${name} --help" for details.`);
  return 2;
}

export const userCommands: Record<string, Command> = {
  'user create': {
    summary: 'create an account (the first administrator, or anyone)',
    usage: 'carnet user create --email E --name N [--admin] [--password-file F] [options]',
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean' },
      'password-file': { type: 'string' },
    },
    settings: DB_SETTINGS,
    help: [
      'Creates an account that can log in at once (no confirmation e-mail). The password is read',
      'from --password-file, else from standard input when it is piped, else asked twice without echo.',
      'If the address already has an account, --admin makes it an administrator and a password given',
      'by file or standard input replaces its password.',
      '',
      '  --email E          the e-mail address (login)',
      '  --name N           the name shown on pages',
      '  --admin            an administrator: manages every course, grants staff roles',
      '  --password-file F  read the password from this file (first line)',
    ].join('\n'),
    run: async (flags: Flags, args: string[], getConfig: () => Config) => {
      const command = userCommands['user create']!;
      const email = str(flags, 'email')?.trim();
      const name = str(flags, 'name')?.trim();
      if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || args.length > 0) {
        return usage('user create', command, 'give one valid --email.');
      }
      const config = getConfig();
      return withDb(config, async (db) => {
        if (!(await requireMigrated(db))) return 2;
        const existing = await selectOptionalUserByEmail(db.kysely, email);
        if (existing) {
          if (flags['admin']) await updateIsAdmin(db.kysely, existing.id, true);
          if (str(flags, 'password-file') || !process.stdin.isTTY) {
            const password = await readPassword(flags);
            if (password) {
              const problem = passwordProblem(password, email);
              if (problem) return usage('user create', command, t(problem));
              await updatePasswordHash(db.kysely, existing.id, await hashPassword(password), new Date());
            }
          }
          console.log(
            `${existing.email} already has an account${flags['admin'] ? ': it is now an administrator' : ''}.`,
          );
          return 0;
        }
        if (!name) return usage('user create', command, 'give --name for a new account.');
        let password: string;
        try {
          password = await readPassword(flags);
        } catch (error) {
          if (error instanceof UsageError) return usage('user create', command, error.message);
          throw error;
        }
        const problem = passwordProblem(password, email);
        if (problem) return usage('user create', command, t(problem));
        const user = await insertUser(
          db.kysely,
          { email, displayName: name, passwordHash: await hashPassword(password), isAdmin: flags['admin'] === true },
          new Date(),
        );
        console.log(`Created ${flags['admin'] ? 'administrator' : 'account'} ${user!.email} (id ${user!.id}).`);
        return 0;
      });
    },
  },
};

userCommands['user teacher'] = {
  summary: 'make an account a teacher (classes, issue 14), or --revoke',
  usage: 'carnet user teacher <email> [--revoke] [options]',
  options: { revoke: { type: 'boolean' } },
  settings: DB_SETTINGS,
  help: [
    'Gives the account of this e-mail address the teacher role: it creates classes on /teach.',
    'A pending request ("I am a teacher") is approved. Administrators can do the same on',
    '/admin/teachers, where requests wait.',
    '',
    '  --revoke   take the role away (the classes stay with their other teachers)',
  ].join('\n'),
  run: async (flags: Flags, args: string[], getConfig: () => Config) => {
    const command = userCommands['user teacher']!;
    const [email, ...extra] = args;
    if (!email || extra.length > 0) return usage('user teacher', command, 'give one e-mail address.');
    return withDb(getConfig(), async (db) => {
      if (!(await requireMigrated(db))) return 2;
      const user = await selectOptionalUserByEmail(db.kysely, email);
      if (!user || isPupilIdentifier(user.email)) {
        console.error(`carnet user teacher: no account has the address ${email}.`);
        return 1;
      }
      if (flags['revoke']) {
        const removed = await deleteTeacher(db.kysely, user.id, 'approved');
        console.log(removed ? `${user.email} is no longer a teacher.` : `${user.email} was not a teacher.`);
        return 0;
      }
      await approveTeacher(db.kysely, user.id, null, new Date());
      console.log(`${user.email} is now a teacher.`);
      return 0;
    });
  },
};

export const runCommands: Record<string, Command> = {
  'run create': {
    summary: 'create a session (run) of a course',
    usage: 'carnet run create <course-slug> --title T --start DATE [--end DATE] [--self-paced] [options]',
    options: {
      title: { type: 'string' },
      slug: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      'enrol-opens': { type: 'string' },
      'enrol-closes': { type: 'string' },
      'self-paced': { type: 'boolean' },
    },
    settings: [...DB_SETTINGS, 'timezone'],
    help: [
      "Creates a session of a course, pinned to the course's live version. Dates are 2026-03-02 or",
      '2026-03-02T09:00 in CARNET_TIMEZONE, or ISO dates with a zone (2026-03-02T08:00Z).',
      'A scheduled session opens week N at start + (N − 1) weeks (change weeks on its page);',
      'a self-paced one opens everything at its start.',
      '',
      '  --title T             the title learners see',
      '  --slug S              identifier in addresses (default: from the title)',
      '  --start DATE          when it starts',
      '  --end DATE            when it ends (optional)',
      '  --enrol-opens DATE    enrolment opens (default: now)',
      '  --enrol-closes DATE   enrolment closes (default: at the end)',
      '  --self-paced          everything open from the start',
    ].join('\n'),
    run: async (flags: Flags, args: string[], getConfig: () => Config) => {
      const command = runCommands['run create']!;
      const [courseSlug, ...extra] = args;
      if (!courseSlug || extra.length > 0) return usage('run create', command, 'give one course slug.');
      const config = getConfig();
      const checked = checkRunInput(
        {
          title: str(flags, 'title'),
          slug: str(flags, 'slug'),
          mode: flags['self-paced'] ? 'self-paced' : 'scheduled',
          startsAt: str(flags, 'start'),
          endsAt: str(flags, 'end'),
          enrolOpensAt: str(flags, 'enrol-opens'),
          enrolClosesAt: str(flags, 'enrol-closes'),
        },
        config.timezone,
      );
      if (!checked.ok) {
        const flag = {
          title: '--title',
          slug: '--slug',
          mode: '--self-paced',
          startsAt: '--start',
          endsAt: '--end',
          enrolOpensAt: '--enrol-opens',
          enrolClosesAt: '--enrol-closes',
          weekOpens: '',
        };
        return usage(
          'run create',
          command,
          Object.entries(checked.errors)
            .map(([k, key]) => `${flag[k as keyof typeof flag]}: ${t(key)}`)
            .join(' '),
        );
      }
      return withDb(config, async (db) => {
        if (!(await requireMigrated(db))) return 2;
        const course = await selectOptionalCourseBySlug(db.kysely, courseSlug);
        // A teacher's private notebook (ADR 052) is never enrollable.
        if (!course?.live_version_id || course.private) {
          console.error(`carnet run create: no imported course "${courseSlug}" (import it first).`);
          return 1;
        }
        const run = await createRun(db.kysely, course.id, course.live_version_id, checked.settings, new Date());
        if (!run) {
          console.error(
            `carnet run create: ${courseSlug} already has a session "${checked.settings.slug}" (choose --slug).`,
          );
          return 1;
        }
        console.log(
          `Created session ${courseSlug}/${run.slug} "${run.title}" (id ${run.id}), ${run.mode}, starting ${run.starts_at}.`,
        );
        return 0;
      });
    },
  },
  'run list': {
    summary: 'list the sessions of every course',
    usage: 'carnet run list [--json] [options]',
    options: { json: { type: 'boolean' } },
    settings: DB_SETTINGS,
    help: 'Lists every session: course, identifier, title, pace, start, end, learners enrolled, pinned version.\n\n  --json   as JSON, for scripts',
    run: async (flags: Flags, _args: string[], getConfig: () => Config) =>
      withDb(getConfig(), async (db) => {
        if (!(await requireMigrated(db))) return 2;
        const runs = await selectAllRuns(db.kysely);
        const rows = runs.map((r) => ({
          course: r.course_slug,
          run: r.slug,
          title: r.title,
          mode: r.mode,
          starts_at: r.starts_at,
          ends_at: r.ends_at,
          enrolled: r.enrolled_count,
          archived: r.archived === 1,
          version: r.version_tag,
        }));
        if (flags['json']) console.log(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) console.log('No session yet: create one with "carnet run create".');
        else {
          for (const r of rows) {
            console.log(
              `${`${r.course}/${r.run}`.padEnd(32)} ${r.mode.padEnd(10)} ${r.starts_at.slice(0, 16)}  ${String(r.enrolled).padStart(7)} enrolled  ${r.version.slice(0, 8)}${r.archived ? '  archived' : ''}  ${r.title}`,
            );
          }
        }
        return 0;
      }),
  },
  'run move': {
    summary: "pin a session to its course's live version",
    usage: 'carnet run move <course-slug> <run-slug> [options]',
    options: {},
    settings: DB_SETTINGS,
    help: 'Moves a session to the live version of its course (after an import): its learners then read the new version.',
    run: async (_flags: Flags, args: string[], getConfig: () => Config) => {
      const command = runCommands['run move']!;
      const [courseSlug, runSlug, ...extra] = args;
      if (!courseSlug || !runSlug || extra.length > 0)
        return usage('run move', command, 'give a course slug and a session slug.');
      return withDb(getConfig(), async (db) => {
        if (!(await requireMigrated(db))) return 2;
        const run = await selectOptionalRunBySlug(db.kysely, courseSlug, runSlug);
        const course = await selectOptionalCourseBySlug(db.kysely, courseSlug);
        if (!run || !course?.live_version_id) {
          console.error(`carnet run move: no session ${courseSlug}/${runSlug}.`);
          return 1;
        }
        await moveRunToVersion(db.kysely, run, course.live_version_id, new Date());
        console.log(`${courseSlug}/${runSlug} now uses the live version.`);
        return 0;
      });
    },
  },
  'run grading': {
    summary: "show or change a session's grading policy",
    usage:
      'carnet run grading <course-slug> <run-slug> [--threshold 60] [--weights quiz=1,exercise=2] [--weeks 1,2|all] [--grace 30] [--forgeable count|exclude] [--show] [options]',
    options: {
      threshold: { type: 'string' },
      weights: { type: 'string' },
      weeks: { type: 'string' },
      grace: { type: 'string' },
      forgeable: { type: 'string' },
      show: { type: 'boolean' },
    },
    settings: [...DB_SETTINGS, 'timezone'],
    help: [
      "Changes a session's grading policy (the rest stays as it is) and queues the recomputation of",
      'its grades, which a running "carnet serve" does. Without a change, or with --show, prints the',
      'policy and the due date of each week (in CARNET_TIMEZONE). Due dates, certificates and the quiz',
      "policy are edited on the session's grading page.",
      '',
      '  --threshold P            passing threshold in percent (60)',
      '  --weights quiz=1,exercise=2   weight of each type (0 leaves it out)',
      '  --weeks 1,2              the weeks that count (all: every week)',
      '  --grace M                grace period after a due date, in minutes',
      '  --forgeable exclude      leave exercises with no hidden check out of the grade (count: keep them)',
      '  --show                   print the policy (after the change, if any)',
    ].join('\n'),
    run: async (flags: Flags, args: string[], getConfig: () => Config) => {
      const name = 'run grading';
      const command = runCommands[name]!;
      const [courseSlug, runSlug, ...extra] = args;
      if (!courseSlug || !runSlug || extra.length > 0)
        return usage(name, command, 'give a course slug and a session slug.');
      const config = getConfig();
      const zone = config.timezone;
      return withDb(config, async (db) => {
        if (!(await requireMigrated(db))) return 2;
        const run = await selectOptionalRunBySlug(db.kysely, courseSlug, runSlug);
        if (!run) {
          console.error(`carnet run grading: no session ${courseSlug}/${runSlug}.`);
          return 1;
        }
        const weeks = await versionWeeks(db.kysely, run.version_id);
        const input = gradingInputOf(run, zone, weeks);
        let changed = false;
        const threshold = str(flags, 'threshold');
        if (threshold !== undefined) [input.threshold, changed] = [threshold, true];
        const grace = str(flags, 'grace');
        if (grace !== undefined) [input.graceMinutes, changed] = [grace, true];
        const forgeable = str(flags, 'forgeable');
        if (forgeable !== undefined) [input.forgeable, changed] = [forgeable.trim(), true];
        const weights = str(flags, 'weights');
        if (weights !== undefined) {
          for (const part of weights.split(',')) {
            const [kind, value = ''] = part.split('=').map((x) => x.trim());
            if (kind === 'quiz') input.quizWeight = value;
            else if (kind === 'exercise') input.exerciseWeight = value;
            else return usage(name, command, `--weights: expected quiz=N,exercise=N (got "${part}").`);
          }
          changed = true;
        }
        const weekList = str(flags, 'weeks');
        if (weekList !== undefined) {
          input.weeks = weekList.trim() === 'all' ? weeks.map(String) : weekList.split(',').map((w) => w.trim());
          changed = true;
        }
        let current = run;
        if (changed) {
          const checked = checkGradingInput(input, zone, weeks);
          if (!checked.ok) {
            const flag: Record<string, string> = {
              threshold: '--threshold',
              graceMinutes: '--grace',
              quizWeight: '--weights',
              exerciseWeight: '--weights',
              weeks: '--weeks',
              forgeable: '--forgeable',
            };
            const message = Object.entries(checked.errors)
              .map(([field, key]) => `${flag[field] ?? field}: ${t(key)}`)
              .join(' ');
            return usage(name, command, message);
          }
          const jobs = new DbJobQueue(db, { concurrency: 0 });
          const job = await setRunPolicies(db.kysely, jobs, run, checked.policy, checked.quiz, new Date());
          console.log(`Saved the grading policy of ${courseSlug}/${runSlug}; grades will be recomputed (job ${job}).`);
          current = (await selectOptionalRunBySlug(db.kysely, courseSlug, runSlug))!;
        }
        if (!changed || flags['show'])
          printGradingPolicy(current, weeks, zone, await versionExercises(db.kysely, current.version_id));
        return 0;
      });
    },
  },
};

/** The policy as `carnet run grading --show` prints it: settings, each week's due date, the forgeable exercises. */
function printGradingPolicy(run: Run, weeks: number[], zone: string, exercises: ExerciseFacts[]): void {
  const policy = parseGradingPolicy(run.grading);
  const forgeable = exercises.filter((e) => e.forgeable).map((e) => e.ref);
  const local = (iso: string | null) => (iso ? toLocalInput(iso, zone).replace('T', ' ') : 'none');
  const lines = [
    `Session ${run.slug} (${run.mode}), times in ${zone}`,
    `weights      quiz=${policy.weights.quiz} exercise=${policy.weights.exercise}`,
    `weeks        ${policy.weeks === null ? 'all' : policy.weeks.join(',') || 'none'}`,
    `due after    ${policy.dueDays} days`,
    `grace        ${policy.graceMinutes} minutes`,
    `threshold    ${Number((policy.threshold * 100).toFixed(2))} %`,
    `forgeable    ${policy.forgeable === 'exclude' ? 'excluded from' : 'counted in'} the grade (exercises with no hidden check: ${forgeable.join(', ') || 'none'})`,
    `certificates ${policy.certificates.issue}${policy.certificates.issue === 'date' ? ` ${local(policy.certificates.date)}` : ''}, grade ${policy.certificates.showGrade ? 'shown' : 'hidden'}`,
    `quizzes      ${run.quiz_attempts === 0 ? 'unlimited' : run.quiz_attempts} attempts, ${run.quiz_counts} counts, partial credit ${run.quiz_partial_credit ? 'on' : 'off'}, answers shown: ${run.quiz_show_answer}`,
    ...weeks.map((week) => {
      const counts = policy.weeks === null || policy.weeks.includes(week);
      const source = policy.due[week] ? 'set' : 'computed';
      return `week ${String(week).padEnd(7)} due ${local(weekDueAt(run, policy, week))} (${source})${counts ? '' : ', not counted'}`;
    }),
  ];
  console.log(lines.join('\n'));
}
