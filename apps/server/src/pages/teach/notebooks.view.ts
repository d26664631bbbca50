import type { Diagnostic } from '@carnet/course-format';
import type { Translate } from '../../i18n/index.ts';
import type { FieldProblem } from '../../lib/teacher-notebooks/upload.ts';
import { MODULES_MAX_ENTRIES, MODULES_ZIP_MAX_BYTES, NOTEBOOK_MAX_BYTES } from '../../lib/teacher-notebooks/upload.ts';
import { courseItemUrl, dashboardUrl, teachNotebooksUrl, teachNotebookUrl, teachUrl } from '../../lib/urls.ts';
import type { TeacherNotebookEntry } from '../../models/teacher-notebooks.ts';
import { csrfField, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface NotebooksPageData {
  csrf: string;
  notebooks: TeacherNotebookEntry[];
  /** The notebook whose page this is (its versions, a new version's form), or the list. */
  notebook: TeacherNotebookEntry | null;
  /** The last upload's warnings (of the notebook's live version), on its page. */
  warnings: Diagnostic[];
  problem: FieldProblem | null;
  /** The import's errors of a failed upload: file, line, what is wrong. */
  errors: Diagnostic[];
  notice?: string | undefined;
}

/** A labelled file input; its hint and error tied to it (aria-describedby). */
function fileField(
  t: Translate,
  name: 'notebook' | 'modules',
  label: string,
  hint: string,
  accept: string,
  problem: FieldProblem | null,
  required: boolean,
  extra = '',
): SafeHtml {
  const id = `f-${name}`;
  const error = problem?.field === name ? t(problem.key, problem.params) : extra;
  const described = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-error' : ''}">
    <label for="${id}">${label}</label>
    <p class="hint" id="${id}-hint">${hint}</p>
    ${error ? html`<p class="error-message" id="${id}-error">${error}</p>` : ''}
    <input
      id="${id}"
      name="${name}"
      type="file"
      accept="${accept}"
      ${required ? html`required` : ''}
      aria-describedby="${described}"
      ${error ? html`aria-invalid="true"` : ''}
    />
  </div>`;
}

function diagnosticList(t: Translate, id: string, items: Diagnostic[]): SafeHtml {
  return html`<ul class="diagnostics" id="${id}">
    ${items.map(
      (d) =>
        html`<li>
          ${d.file ? html`<code>${d.file}${d.line ? `:${d.line}` : ''}</code> ` : ''}${
            d.line ? html`<span class="meta">${t('notebooks.line', { line: d.line })}</span> ` : ''
          }${d.message}
        </li>`,
    )}
  </ul>`;
}

/** /teach/notebooks (a teacher's own notebooks and the upload form) and /teach/notebooks/<id>. */
export function notebooksView(ctx: PageContext, data: NotebooksPageData): string {
  const { t } = ctx;
  const nb = data.notebook;
  const importFailed = data.errors.length > 0;
  const alert =
    data.problem || importFailed
      ? html`<div class="form-alert" role="alert">
          <p>${importFailed ? t('notebooks.error.import') : t('form.fixErrors')}</p>
          ${importFailed ? diagnosticList(t, 'import-errors', data.errors) : ''}
        </div>`
      : '';
  const form = html`<form
    method="post"
    action="${nb ? teachNotebookUrl(nb.notebookId) : teachNotebooksUrl()}"
    enctype="multipart/form-data"
    class="stack-form"
    novalidate
  >
    ${csrfField(data.csrf)}
    ${fileField(
      t,
      'notebook',
      t('notebooks.field.notebook'),
      t('notebooks.field.notebookHint', { mb: NOTEBOOK_MAX_BYTES >> 20 }),
      '.ipynb,.md',
      data.problem,
      true,
      importFailed ? t('notebooks.error.import') : '',
    )}
    ${fileField(
      t,
      'modules',
      t('notebooks.field.modules'),
      t('notebooks.field.modulesHint', { mb: MODULES_ZIP_MAX_BYTES >> 20, max: MODULES_MAX_ENTRIES }),
      '.zip',
      data.problem,
      false,
    )}
    <p><button type="submit" class="button">${nb ? t('notebooks.uploadVersion') : t('notebooks.upload')}</button></p>
  </form>`;

  let main: SafeHtml;
  if (nb) {
    main = html`<h1>${nb.title}</h1>
      ${notice(data.notice)}
      <p class="meta">${nb.source ?? ''} · ${t('notebooks.versions', { n: nb.versions })}</p>
      <p><a href="${courseItemUrl(nb.slug, nb.route)}">${t('notebooks.preview')}</a></p>
      ${
        data.warnings.length > 0
          ? html`<section aria-labelledby="warnings-title">
              <h2 id="warnings-title">${t('notebooks.warnings')}</h2>
              ${diagnosticList(t, 'import-warnings', data.warnings)}
            </section>`
          : ''
      }
      <section aria-labelledby="upload-title">
        <h2 id="upload-title">${t('notebooks.newVersion')}</h2>
        <p>${t('notebooks.newVersionHint')}</p>
        ${alert} ${form}
      </section>`;
  } else {
    main = html`<h1>${t('notebooks.title')}</h1>
      ${notice(data.notice)}
      <p>${t('notebooks.intro')}</p>
      <section aria-labelledby="notebooks-title">
        <h2 id="notebooks-title">${t('notebooks.mine')}</h2>
        ${
          data.notebooks.length === 0
            ? html`<p class="empty">${t('notebooks.none')}</p>`
            : html`<ul class="class-list">
                ${data.notebooks.map(
                  (n) =>
                    html`<li>
                      <a href="${teachNotebookUrl(n.notebookId)}">${n.title}</a>
                      <span class="meta">${n.source ?? ''} · ${t('notebooks.versions', { n: n.versions })}</span>
                    </li>`,
                )}
              </ul>`
        }
      </section>
      <section aria-labelledby="upload-title">
        <h2 id="upload-title">${t('notebooks.new')}</h2>
        ${alert} ${form}
      </section>`;
  }
  const crumbs = [
    { label: t('dashboard.title'), href: dashboardUrl() },
    { label: t('teach.title'), href: teachUrl() },
    ...(nb
      ? [{ label: t('notebooks.title'), href: teachNotebooksUrl() }, { label: nb.title }]
      : [{ label: t('notebooks.title') }]),
  ];
  return layout(ctx, { title: nb ? nb.title : t('notebooks.title'), main, breadcrumb: crumbs });
}
