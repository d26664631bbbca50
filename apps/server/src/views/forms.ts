import type { MessageKey, Translate } from '../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';

/** A form's state when it is shown again: the values typed and the error of each field. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, MessageKey>;
  /** An error about the whole form (wrong credentials, too many attempts), with its parameters. */
  formError?: { key: MessageKey; params?: Record<string, string | number> };
}

export const emptyForm = (): FormState => ({ values: {}, errors: {} });

export interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'datetime-local' | 'date' | 'search';
  autocomplete?: string;
  hint?: string;
  required?: boolean;
  /** Password fields never get their value back. */
  keepValue?: boolean;
  maxlength?: number;
  inputmode?: string;
}

/**
 * A labelled input. Its hint and error are tied to it with aria-describedby, and an error sets
 * aria-invalid, so screen readers announce them with the field.
 */
export function field(t: Translate, form: FormState, options: FieldOptions): SafeHtml {
  const id = `f-${options.name}`;
  const error = form.errors[options.name];
  const described = [options.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const value = options.type === 'password' || options.keepValue === false ? '' : (form.values[options.name] ?? '');
  return html`<div class="field${error ? ' field-error' : ''}">
    <label for="${id}">${options.label}</label>
    ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
    ${error ? html`<p class="error-message" id="${id}-error">${t(error)}</p>` : ''}
    <input
      id="${id}"
      name="${options.name}"
      type="${options.type ?? 'text'}"
      value="${value}"
      ${options.autocomplete ? html`autocomplete="${options.autocomplete}"` : ''}
      ${options.required ? html`required` : ''}
      ${options.maxlength ? html`maxlength="${options.maxlength}"` : ''}
      ${options.inputmode ? html`inputmode="${options.inputmode}"` : ''}
      ${described ? html`aria-describedby="${described}"` : ''}
      ${error ? html`aria-invalid="true"` : ''}
    />
  </div>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

/** The form-level error, announced at once (role=alert), or nothing. */
export function formAlert(t: Translate, form: FormState): SafeHtml {
  if (!form.formError && Object.keys(form.errors).length === 0) return html``;
  const text = form.formError ? t(form.formError.key, form.formError.params) : t('form.fixErrors');
  return html`<div class="form-alert" role="alert"><p>${text}</p></div>`;
}

/** A notice shown after an action succeeded (role=status: announced without interrupting). */
export function notice(text: string | null | undefined): SafeHtml {
  return text ? html`<div class="form-notice" role="status"><p>${text}</p></div>` : html``;
}
