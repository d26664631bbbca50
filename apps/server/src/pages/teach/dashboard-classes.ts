import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { levelLabel } from '../../lib/classes/classes.ts';
import { accountUrl, adminTeachersUrl, joinUrl, teachUrl } from '../../lib/urls.ts';
import { selectPupilClasses, type PupilClassEntry } from '../../models/classes.ts';
import { isTeacher } from '../../models/teachers.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { selectPupilActivities, type PupilActivityEntry } from '../../models/activities.ts';
import { dashboardActivity, type PupilState } from '../../lib/activities/rules.ts';
import { dashboardActivities } from '../activities/activities.view.ts';
import type { PageContext } from '../../views/layout.ts';

/** What /me shows of classes: the reader's own classes (nothing of any other), and their teacher links. */
export interface DashboardClasses {
  classes: PupilClassEntry[];
  teacher: boolean;
  admin: boolean;
  /** A pseudonymous account (it cannot ask to teach). */
  pupilAccount: boolean;
  /** A pseudonymous account still on the password printed by its teacher. */
  sheetPassword: boolean;
  /** The activities of the reader's classes, with their state (ADR 051). */
  activities: { entry: PupilActivityEntry; state: PupilState; visible: boolean }[];
  zone: string;
  now: Date;
}

/** Reads the dashboard's class part for a user. */
export async function loadDashboardClasses(
  db: Kysely<Database>,
  user: { id: number; isAdmin: boolean },
  now: Date,
  zone: string,
): Promise<DashboardClasses> {
  const owned = await db
    .selectFrom('class_pupil_accounts')
    .innerJoin('users', 'users.id', 'class_pupil_accounts.user_id')
    .select(['users.password_changed_at', 'class_pupil_accounts.sheet_issued_at'])
    .where('class_pupil_accounts.user_id', '=', user.id)
    .executeTakeFirst();
  return {
    classes: await selectPupilClasses(db, user.id),
    teacher: await isTeacher(db, user.id),
    admin: user.isAdmin,
    pupilAccount: owned !== undefined,
    sheetPassword: owned !== undefined && (owned.password_changed_at ?? '') <= owned.sheet_issued_at,
    activities: (await selectPupilActivities(db, user.id)).map((entry) => dashboardActivity(entry, now)),
    zone,
    now,
  };
}

/** The dashboard's "My classes" section and the teacher space's links. */
export function dashboardClassesSection(ctx: PageContext, data: DashboardClasses): SafeHtml {
  const { t } = ctx;
  return html`${
      data.sheetPassword
        ? html`<p class="hint">
            ${t('dashboard.classes.sheetPassword')} <a href="${accountUrl()}">${t('nav.account')}</a>
          </p>`
        : ''
    }
    <section aria-labelledby="my-classes-title" class="dashboard-classes">
      <h2 id="my-classes-title">${t('dashboard.classes.title')}</h2>
      ${
        data.classes.length > 0
          ? html`<ul class="class-list">
              ${data.classes.map(
                (c) =>
                  html`<li>
                    <strong>${c.name}</strong>
                    <span class="meta">${c.school_year} · ${t(levelLabel(c.level))}</span>
                    ${c.teachers.length > 0 ? html`<br /><span>${t('dashboard.classes.teachers', { names: c.teachers.join(', ') })}</span>` : ''}
                    ${dashboardActivities(
                      ctx,
                      data.activities.filter((a) => a.entry.class_id === c.id),
                      data.zone,
                      data.now,
                    )}
                  </li>`,
              )}
            </ul>`
          : ''
      }
      <p><a href="${joinUrl()}">${t('dashboard.classes.join')}</a></p>
    </section>
    ${
      data.teacher
        ? html`<p><a href="${teachUrl()}">${t('dashboard.teach')}</a></p>`
        : data.pupilAccount
          ? ''
          : html`<p><a href="${teachUrl()}">${t('teach.request.submit')}</a></p>`
    }
    ${data.admin ? html`<p><a href="${adminTeachersUrl()}">${t('dashboard.adminTeachers')}</a></p>` : ''}`;
}
