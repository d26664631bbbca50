import { toPublicQuiz, type Diagnostic } from '@carnet/course-format';
import { describe, expect, it } from 'vitest';
import { QUIZ_MARKER, ui } from './html.ts';
import { renderQuiz } from './quiz.ts';
import { $, $$, attributeNames, courseOf, linksOf, parse, text } from './testing.ts';

const PATH = 'w1/w1-s3-q1-bases.quiz';

function renderQuizFile(source: string, extra: Record<string, string | Uint8Array> = {}) {
  const course = courseOf({ [PATH]: source, ...extra });
  const item = course.items.find((i) => i.path === PATH);
  if (item?.type !== 'quiz') throw new Error('no quiz');
  const diagnostics: Diagnostic[] = [];
  const raw = renderQuiz(toPublicQuiz(item.quiz), linksOf(course), 'fr', diagnostics);
  // As an anonymous reader gets it: the per-learner markers empty (the server's slots).
  const html = raw.replace(QUIZ_MARKER, '');
  return { raw, html, doc: parse(html), diagnostics, quiz: item.quiz };
}

const QUIZ = [
  '<em>Un quiz sur la semaine 1.</em>',
  '<hr/>',
  'Le type d’une division',
  '=====',
  '',
  '<p>On calcule <code>8 / 4</code>.</p>',
  '',
  '>>Quel est son type ?<<',
  '( ) <code>int</code>',
  '(x) <code>float</code>',
  '( ) <code>str</code>',
  '',
  '||Un indice : <b>/</b> est la vraie division.||',
  '<hr/>',
  '<p>Lesquels sont valides ?</p>',
  '[x] <code>prix_total</code>',
  '[ ] <code>1er_prix</code>',
  '[x] <code>_cache</code>',
  '<hr/>',
  'Une valeur',
  '=====',
  '<p>Combien vaut <code>22 / 7</code> à 0,01 près ?</p>',
  '= 3.14 +- 0.01',
  '<hr/>',
  '>>Le nom de la fonction de longueur ?<<',
  '= len',
  '<hr/>',
  '>>Choisissez l’opérateur de puissance<<',
  '[[*, (**), ^]]',
  '',
].join('\n');

describe('renderQuiz: form controls', () => {
  it('renders the preamble and one section per problem with its title', () => {
    const { doc } = renderQuizFile(QUIZ);
    expect(text($(doc, '.quiz-preamble em'))).toBe('Un quiz sur la semaine 1.');
    const sections = $$(doc, 'section.quiz-problem');
    expect(sections.map((s) => [s.attribs['id'], s.attribs['aria-labelledby']])).toEqual(
      ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => [p, `${p}-title`]),
    );
    expect(sections.map((s) => text($(s, 'h2')))).toEqual([
      'Le type d’une division',
      `${ui('quiz.problem')} 2`,
      'Une valeur',
      `${ui('quiz.problem')} 4`,
      `${ui('quiz.problem')} 5`,
    ]);
    expect(sections.map((s) => $(s, 'h2').attribs['id'])).toEqual([
      'p1-title',
      'p2-title',
      'p3-title',
      'p4-title',
      'p5-title',
    ]);
  });

  it('renders single choice as a radio fieldset: legend, labels tied to inputs by for/id', () => {
    const { doc } = renderQuizFile(QUIZ);
    const fieldset = $(doc, 'fieldset.quiz-single');
    expect(fieldset.attribs['id']).toBe('p1q1');
    expect(text($(fieldset, 'legend'))).toBe('Quel est son type ?');
    const inputs = $$(fieldset, 'input');
    expect(inputs.map((i) => i.attribs)).toEqual(
      [0, 1, 2].map((n) => ({ type: 'radio', name: 'p1q1', id: `p1q1-${n}`, value: String(n) })),
    );
    const labels = $$(fieldset, 'label');
    expect(labels.map((l) => [l.attribs['for'], text(l)])).toEqual([
      ['p1q1-0', 'int'],
      ['p1q1-1', 'float'],
      ['p1q1-2', 'str'],
    ]);
    expect($$(fieldset, 'label code')).toHaveLength(3);
  });

  it('describes the question by the text block just before it', () => {
    const { doc } = renderQuizFile(QUIZ);
    const fieldset = $(doc, 'fieldset.quiz-single');
    const description = $(doc, `#${fieldset.attribs['aria-describedby']}`);
    expect(description.attribs['class']).toBe('quiz-text');
    expect(text(description)).toBe('On calcule 8 / 4.');
  });

  it('renders multiple choice as checkboxes with the "several answers" help', () => {
    const { doc } = renderQuizFile(QUIZ);
    const fieldset = $(doc, 'fieldset.quiz-multiple');
    expect(text($(fieldset, 'legend'))).toBe(`${ui('quiz.question')} 1`);
    expect(text($(fieldset, 'p.quiz-help'))).toBe(ui('quiz.severalAnswers'));
    expect($$(fieldset, 'input').map((i) => [i.attribs['type'], i.attribs['name'], i.attribs['id']])).toEqual([
      ['checkbox', 'p2q1', 'p2q1-0'],
      ['checkbox', 'p2q1', 'p2q1-1'],
      ['checkbox', 'p2q1', 'p2q1-2'],
    ]);
    expect($$(fieldset, 'label').map((l) => [l.attribs['for'], text(l)])).toEqual([
      ['p2q1-0', 'prix_total'],
      ['p2q1-1', '1er_prix'],
      ['p2q1-2', '_cache'],
    ]);
  });

  it('renders numeric and text questions as labelled text inputs', () => {
    const { doc } = renderQuizFile(QUIZ);
    const numeric = $(doc, 'fieldset.quiz-numeric');
    const input = $(numeric, 'input');
    expect(input.attribs).toEqual({
      type: 'text',
      id: 'p3q1-answer',
      name: 'p3q1',
      autocomplete: 'off',
      spellcheck: 'false',
      inputmode: 'decimal',
    });
    expect($(numeric, 'label').attribs['for']).toBe('p3q1-answer');
    expect(text($(numeric, 'label'))).toBe(ui('quiz.yourAnswer'));

    const textual = $(doc, 'fieldset.quiz-text');
    expect(text($(textual, 'legend'))).toBe('Le nom de la fonction de longueur ?');
    expect($(textual, 'input').attribs).toMatchObject({ id: 'p4q1-answer', name: 'p4q1', type: 'text' });
    expect($(textual, 'input').attribs['inputmode']).toBeUndefined();
    expect($(textual, 'label').attribs['for']).toBe('p4q1-answer');
  });

  it('renders a dropdown as a labelled <select> with an empty first choice', () => {
    const { doc } = renderQuizFile(QUIZ);
    const fieldset = $(doc, 'fieldset.quiz-dropdown');
    const select = $(fieldset, 'select');
    expect(select.attribs).toEqual({ id: 'p5q1-answer', name: 'p5q1' });
    expect($(fieldset, 'label').attribs['for']).toBe('p5q1-answer');
    expect(text($(fieldset, 'label'))).toBe(ui('quiz.choose'));
    expect($$(select, 'option').map((o) => [o.attribs['value'], text(o)])).toEqual([
      ['', '—'],
      ['0', '*'],
      ['1', '**'],
      ['2', '^'],
    ]);
  });

  it('folds hints in numbered <details>', () => {
    const { doc } = renderQuizFile(QUIZ);
    const hint = $(doc, 'fieldset.quiz-single details.quiz-hint');
    expect('open' in hint.attribs).toBe(false);
    expect(text($(hint, 'summary'))).toBe(`${ui('quiz.hint')} 1`);
    expect(text($(hint, 'b'))).toBe('/');
  });

  it('gives every control a unique id and every label a control', () => {
    const { doc } = renderQuizFile(QUIZ);
    const ids = $$(doc, '[id]').map((e) => e.attribs['id']!);
    expect(new Set(ids).size).toBe(ids.length);
    for (const label of $$(doc, 'label')) expect(ids).toContain(label.attribs['for']);
  });
});

describe('renderQuiz: sanitising', () => {
  it('removes event handlers and frames from quiz text, reporting them at the text’s line', () => {
    const source = [
      '<hr/>',
      '<p>Texte <b onclick="alert(1)">sûr</b> <img src="../media/x.png" onerror="alert(2)" alt="x"></p>',
      '<iframe src="https://evil.example/"></iframe>',
      '( ) a',
      '(x) b',
      '',
    ].join('\n');
    const { html, doc, diagnostics } = renderQuizFile(source, { 'media/x.png': new Uint8Array([1]) });
    expect(html).not.toMatch(/<iframe|onclick|onerror|alert/);
    expect($$(doc, 'iframe')).toHaveLength(0);
    expect(text($(doc, '.quiz-text b'))).toBe('sûr');
    expect($(doc, '.quiz-text img').attribs).toEqual({ src: '/c/file/media/x.png', alt: 'x', loading: 'lazy' });
    expect(diagnostics.map((d) => [d.code, d.file, d.line, d.message])).toEqual([
      ['render.unsafe-html', PATH, 2, 'Removed an event handler on <b> from this quiz text.'],
      ['render.unsafe-html', PATH, 2, 'Removed an event handler on <img> from this quiz text.'],
    ]);
  });

  it('sanitises option text and labels too', () => {
    const source = [
      '>>Label <a href="javascript:alert(1)">lien</a><<',
      '( ) <b onclick="alert(1)">a</b>',
      '(x) b',
      '',
    ].join('\n');
    const { html, doc } = renderQuizFile(source);
    expect(attributeNames(html)).not.toContain('onclick');
    expect(html).not.toContain('javascript');
    expect(text($(doc, 'legend'))).toBe('Label lien');
    expect(text($(doc, 'label b'))).toBe('a');
  });

  it('resolves links and images of quiz text like a notebook’s', () => {
    const source = [
      '<p><img src="media/x.png" alt="x"> <a href="w1-s1-c1-intro.md">cours</a></p>',
      '( ) a',
      '(x) b',
      '',
    ].join('\n');
    const { doc } = renderQuizFile(source, {
      'media/x.png': new Uint8Array([1]),
      'w1/w1-s1-c1-intro.md': '# Intro\n\n```{code-cell}\nx\n```\n',
    });
    expect($(doc, 'img').attribs['src']).toBe('/c/file/media/x.png');
    expect($(doc, 'a').attribs['href']).toBe('/c/item/w1/w1-s1-c1-intro');
  });

  it('strips forged UI markers from quiz text and dropdown options', () => {
    const source = ['<p>&#xE000;quiz.hint&#xE001;</p>', '[[un\uE000quiz.hint\uE001, (deux)]]', ''].join('\n');
    const { html } = renderQuizFile(source);
    expect(html).not.toMatch(/[\uE002\uE003]/);
    // The only markers left are the renderer's own, each a known key.
    expect(html.match(/\uE000[^\uE001]*\uE001/g)).toEqual([ui('quiz.problem'), ui('quiz.question'), ui('quiz.choose')]);
  });
});

describe('renderQuiz: one form per problem, with places for a learner', () => {
  it('wraps each problem in a form posting its id, and marks controls, results and footers', () => {
    const { raw, doc } = renderQuizFile(QUIZ);
    const forms = $$(doc, 'form.quiz-form');
    expect(forms.length).toBe($$(doc, 'section.quiz-problem').length);
    expect(forms.map((f) => f.attribs['method'])).toEqual(forms.map(() => 'post'));
    expect($$(doc, 'input[name="problem"]').map((i) => i.attribs['value'])).toEqual(
      forms.map((f) => f.attribs['data-problem']),
    );
    const markers = [...raw.matchAll(QUIZ_MARKER)].map((m) => `${m[1]}:${m[2]}`);
    // Every radio has its state place, every question a result place, every problem a footer.
    expect(markers).toContain('value:p1q1:0');
    expect(markers).toContain('value:p1q1:2');
    expect(markers).toContain('result:p1q1');
    expect(markers).toContain('footer:p1');
    expect(markers.filter((m) => m.startsWith('footer:')).length).toBe(forms.length);
    expect(markers.filter((m) => m.startsWith('result:')).length).toBe($$(doc, 'fieldset.quiz-question').length);
  });

  it('strips marker characters from author text, so a course cannot forge a place', () => {
    const { raw } = renderQuizFile('<p>\uE004footer:p1\uE005 &#xE004;footer:p1&#xE005;</p>\n( ) a\n(x) b\n');
    expect([...raw.matchAll(QUIZ_MARKER)].map((m) => m[0])).toEqual([
      '\uE004value:p1q1:0\uE005',
      '\uE004value:p1q1:1\uE005',
      '\uE004result:p1q1\uE005',
      '\uE004footer:p1\uE005',
    ]);
  });
});

describe('renderQuiz: secrecy', () => {
  it('never shows answers, feedback or explanations', () => {
    const source = [
      '<hr/>',
      'Secrets',
      '=====',
      '( ) alpha {{SECRET_FEEDBACK_WRONG}}',
      '(x) beta {{SECRET_FEEDBACK_RIGHT}}',
      '[explanation]',
      '<p>SECRET_EXPLANATION_SINGLE</p>',
      '[explanation]',
      '<hr/>',
      '[x] gamma {{ selected: SECRET_SELECTED, unselected: SECRET_UNSELECTED }}',
      '[ ] delta',
      '[explanation]',
      'SECRET_EXPLANATION_MULTIPLE',
      '[explanation]',
      '<hr/>',
      '= 314159 +- 1',
      '[explanation]',
      'SECRET_EXPLANATION_NUMERIC',
      '[explanation]',
      '<hr/>',
      '= SECRET_TEXT_ANSWER',
      'or= SECRET_TEXT_ALTERNATIVE',
      '<hr/>',
      '[[epsilon, (zeta), eta]]',
      '[explanation]',
      'SECRET_EXPLANATION_DROPDOWN',
      '[explanation]',
      '',
    ].join('\n');
    const { html, quiz } = renderQuizFile(source);
    // The model does hold the secrets: the test would catch a renderer that read them.
    expect(JSON.stringify(quiz)).toContain('SECRET_EXPLANATION_DROPDOWN');
    expect(JSON.stringify(quiz)).toContain('314159');
    expect(html.match(/SECRET_\w+|314159/g)).toBeNull();
    // Nothing marks the right options either.
    expect(attributeNames(html).filter((a) => /checked|selected|correct|data-(?!problem$)/.test(a))).toEqual([]);
    expect($$(html, '.quiz-options label').map(text)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect($$(html, 'option').map((o) => o.attribs)).toEqual([
      { value: '' },
      { value: '0' },
      { value: '1' },
      { value: '2' },
    ]);
  });
});

describe('renderQuiz: no visible duplicates of the author’s text', () => {
  it('keeps a generic legend for screen readers only when the question text precedes it', () => {
    const { doc } = renderQuizFile(QUIZ);
    const [labelled, described, , labelledText] = $$(doc, 'fieldset.quiz-question');
    // An explicit >>label<< is the visible legend.
    expect($(labelled!, 'legend')!.attribs['class']).toBeUndefined();
    // A question after its own paragraph: legend hidden, paragraph tied by aria-describedby.
    const legend = $(described!, 'legend')!;
    expect(legend.attribs['class']).toBe('visually-hidden');
    expect(text(legend)).toBe(`${ui('quiz.question')} 1`);
    expect(described!.attribs['aria-describedby']).toMatch(/^p2-t\d+$/);
    expect(text($(labelledText!, 'legend'))).toBe('Le nom de la fonction de longueur ?');
  });

  it('hides the generated title of an untitled problem that opens with its own heading', () => {
    const { doc } = renderQuizFile(
      '<hr/>\n<h3>Découper une chaîne</h3>\n( ) a\n(x) b\n<hr/>\n<p>Sans titre</p>\n( ) a\n(x) b\n',
    );
    const [withHeading, withoutHeading] = $$(doc, 'section.quiz-problem');
    expect($(withHeading!, 'h2')!.attribs['class']).toBe('visually-hidden');
    expect($(withoutHeading!, 'h2')!.attribs['class']).toBeUndefined();
    expect(text($(withoutHeading!, 'h2'))).toBe(`${ui('quiz.problem')} 2`);
  });
});
