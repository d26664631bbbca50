import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseText, type Diagnostic } from '../diagnostics.ts';
import type { Quiz, QuizBlock, QuizQuestion } from './model.ts';
import { parseQuiz, toPublicQuiz } from './parse.ts';

const PATH = 'w1/w1-s1-q1-bases.quiz';

/** A file from its lines, LF-terminated as the real course writes them. */
function file(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Parses a file that must import: no error diagnostic, a non-null value. */
function ok(text: string): Quiz {
  const { value, diagnostics } = parseQuiz(text, PATH);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(value).not.toBeNull();
  return value!;
}

/** The diagnostics of a file as `severity code line:column`, in the order they are returned. */
function diagnosticsOf(text: string): string[] {
  return parseQuiz(text, PATH).diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`);
}

function messageOf(text: string, code: string): string {
  const found = parseQuiz(text, PATH).diagnostics.find((d) => d.code === code);
  expect(found).toBeDefined();
  return found!.message;
}

function questionsOf(quiz: Quiz): QuizQuestion[] {
  return quiz.problems.flatMap((p) => p.blocks.flatMap((b) => (b.type === 'question' ? [b.question] : [])));
}

function onlyQuestion(text: string): QuizQuestion {
  const questions = questionsOf(ok(text));
  expect(questions).toHaveLength(1);
  return questions[0]!;
}

function html(line: number, content: string): QuizBlock {
  return { type: 'html', line, html: content };
}

/** A small valid problem, to pad files whose point is elsewhere. */
const VALID_CHOICE = ['( ) no', '(x) yes'];

describe('parseQuiz: problems and separators', () => {
  it('splits problems at <hr/>, drops empty ones and numbers problems and questions', () => {
    const quiz = ok(
      file('<hr/>', 'First', '=====', '( ) a', '(x) b', '<hr/>', '', '<hr/>', '[x] c', '[ ] d', '<hr/>', ''),
    );
    expect(quiz).toEqual({
      path: PATH,
      preamble: null,
      problems: [
        {
          id: 'p1',
          line: 2,
          title: 'First',
          blocks: [
            {
              type: 'question',
              question: {
                id: 'p1q1',
                kind: 'single',
                line: 4,
                label: null,
                hints: [],
                explanation: null,
                options: [
                  { html: 'a', correct: false, feedback: null },
                  { html: 'b', correct: true, feedback: null },
                ],
              },
            },
          ],
        },
        {
          id: 'p2',
          line: 9,
          title: null,
          blocks: [
            {
              type: 'question',
              question: {
                id: 'p2q1',
                kind: 'multiple',
                line: 9,
                label: null,
                hints: [],
                explanation: null,
                options: [
                  {
                    html: 'c',
                    correct: true,
                    feedback: null,
                    feedbackSelected: null,
                    feedbackUnselected: null,
                  },
                  {
                    html: 'd',
                    correct: false,
                    feedback: null,
                    feedbackSelected: null,
                    feedbackUnselected: null,
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(diagnosticsOf(file('<hr/>', ...VALID_CHOICE, '<hr/>', '', '<hr/>'))).toEqual([]);
  });

  it.each(['<hr>', '<hr />', '<HR/>', '<Hr >', '  <hr/>  ', '\t<hr/>'])('accepts %j as a separator', (separator) => {
    const quiz = ok(file(...VALID_CHOICE, separator, '(x) c', '( ) d'));
    expect(quiz.problems.map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('does not take <hr/> inside a line of text for a separator', () => {
    const quiz = ok(file('Before <hr/> after', ...VALID_CHOICE));
    expect(quiz.problems).toHaveLength(1);
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(1, '<p>Before <hr/> after</p>'));
  });

  it('numbers several questions of one problem p<n>q<k>', () => {
    const quiz = ok(file('<hr/>', ...VALID_CHOICE, '<hr/>', '( ) a', '(x) b', 'text', '[x] c', '= 3', '[[(a), b]]'));
    expect(questionsOf(quiz).map((q) => `${q.id}:${q.kind}:${q.line}`)).toEqual([
      'p1q1:single:2',
      'p2q1:single:5',
      'p2q2:multiple:8',
      'p2q3:numeric:9',
      'p2q4:dropdown:10',
    ]);
  });
});

describe('parseQuiz: preamble and files that do not start with <hr/>', () => {
  it('reads text before the first separator as the preamble', () => {
    const quiz = ok(file('<em>Answer all questions.</em>', '', 'Good luck', '<hr/>', ...VALID_CHOICE));
    expect(quiz.preamble).toBe('<p><em>Answer all questions.</em></p>\n<p>Good luck</p>');
    expect(quiz.problems).toHaveLength(1);
    expect(quiz.problems[0]!.line).toBe(5);
  });

  it('reads text holding a question before the first separator as the first problem', () => {
    const quiz = ok(file('Intro', ...VALID_CHOICE, '<hr/>', '[x] a', '[ ] b'));
    expect(quiz.preamble).toBeNull();
    expect(quiz.problems.map((p) => [p.id, p.line])).toEqual([
      ['p1', 1],
      ['p2', 5],
    ]);
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(1, '<p>Intro</p>'));
  });

  it('reads a file without any separator as one problem', () => {
    const quiz = ok(file('Title', '====', ...VALID_CHOICE));
    expect(quiz.preamble).toBeNull();
    expect(quiz.problems).toHaveLength(1);
    expect(quiz.problems[0]!.title).toBe('Title');
  });

  it('has no preamble when only blank lines precede the first separator', () => {
    expect(ok(file('', '  ', '<hr/>', ...VALID_CHOICE)).preamble).toBeNull();
  });

  it('drops a label or explanation from the preamble, with a warning', () => {
    const text = file('Intro', '[explanation]', 'secret', '[explanation]', '<hr/>', ...VALID_CHOICE);
    const quiz = ok(text);
    expect(quiz.preamble).toBe('<p>Intro</p>');
    expect(JSON.stringify(quiz)).not.toContain('secret');
    expect(diagnosticsOf(text)).toEqual(['warning quiz.explanation-without-question 2:1']);
  });
});

describe('parseQuiz: titles', () => {
  it('reads the first line of a problem underlined with = as its title', () => {
    const quiz = ok(file('<hr/>', '', 'Integer <code>bases</code>', '=====', '', ...VALID_CHOICE));
    expect(quiz.problems[0]).toMatchObject({ line: 3, title: 'Integer <code>bases</code>' });
    expect(quiz.problems[0]!.blocks).toHaveLength(1);
  });

  it.each(['====', '==========', '=====   ', '  ====='])('accepts the underline %j', (underline) => {
    expect(ok(file('Title', underline, ...VALID_CHOICE)).problems[0]!.title).toBe('Title');
  });

  it('has no title when the problem starts with an <h3> heading', () => {
    const quiz = ok(file('<hr/>', '<h3>Question 1</h3>', ...VALID_CHOICE));
    expect(quiz.problems[0]!.title).toBeNull();
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(2, '<h3>Question 1</h3>'));
  });

  it('keeps a line of = that follows no text as text, with a warning', () => {
    const text = file('<hr/>', '', '=====', ...VALID_CHOICE);
    const quiz = ok(text);
    expect(quiz.problems[0]!.title).toBeNull();
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(3, '<p>=====</p>'));
    expect(diagnosticsOf(text)).toEqual(['warning quiz.stray-underline 3:1']);
  });

  it('keeps an underline below a later line as text, with a warning', () => {
    const text = file('Title', '=====', 'Sub', '=====', ...VALID_CHOICE);
    const quiz = ok(text);
    expect(quiz.problems[0]!.title).toBe('Title');
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(3, '<p>Sub\n=====</p>'));
    expect(diagnosticsOf(text)).toEqual(['warning quiz.stray-underline 4:1']);
  });

  it('does not take three = for an underline, and says why', () => {
    const text = file('Title', '===', ...VALID_CHOICE);
    expect(ok(text).problems[0]!.title).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['warning quiz.stray-underline 2:1']);
    expect(messageOf(text, 'quiz.stray-underline')).toContain('at least 4 "="');
  });

  it('does not take a choice line followed by = for a title', () => {
    const text = file('(x) a', '( ) b', '====');
    expect(ok(text).problems[0]!.title).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['warning quiz.stray-underline 3:1']);
  });
});

describe('parseQuiz: single choice', () => {
  it('reads ( ) and (x) options, with (X) and leading spaces accepted', () => {
    const q = onlyQuestion(file('( ) one', '  (X)   two  ', '( )three'));
    expect(q).toMatchObject({
      kind: 'single',
      options: [
        { html: 'one', correct: false, feedback: null },
        { html: 'two', correct: true, feedback: null },
        { html: 'three', correct: false, feedback: null },
      ],
    });
    expect(q.kind === 'single' && 'feedbackSelected' in q.options[0]!).toBe(false);
  });

  it('reads option feedback {{ … }} at the end of the line', () => {
    const q = onlyQuestion(file('( ) <code>1</code> {{ No: <code>1</code> is odd. }}', '(x) 2 {{Yes}}'));
    expect(q).toMatchObject({
      options: [
        { html: '<code>1</code>', feedback: 'No: <code>1</code> is odd.' },
        { html: '2', feedback: 'Yes' },
      ],
    });
  });

  it('reports a single-choice group with no correct option', () => {
    const text = file('<hr/>', 'Q', '( ) a', '( ) b');
    expect(parseQuiz(text, PATH).value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error quiz.single-correct-count 3:1']);
    expect(messageOf(text, 'quiz.single-correct-count')).toMatch(
      /^A single-choice question needs exactly one correct option marked \(x\); this one has none\./,
    );
  });

  it('reports a single-choice group with two correct options, naming the count', () => {
    const text = file('( ) a', '(x) b', '(x) c');
    const result = parseQuiz(text, PATH);
    expect(result.value).toBeNull();
    expect(result.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'quiz.single-correct-count',
        file: PATH,
        line: 1,
        column: 1,
        message:
          'A single-choice question needs exactly one correct option marked (x); this one has 2. ' +
          'For several correct options, write a multiple-choice question with [ ] and [x].',
      },
    ]);
  });

  it('accepts twelve options', () => {
    const options = Array.from({ length: 12 }, (_, i) => (i === 7 ? `(x) o${i}` : `( ) o${i}`));
    const q = onlyQuestion(file(...options));
    expect(q.kind === 'single' && q.options.map((o) => o.correct).indexOf(true)).toBe(7);
  });
});

describe('parseQuiz: multiple choice', () => {
  it('reads [ ] and [x] options, several correct', () => {
    const q = onlyQuestion(file('[x] a', '[ ] b', '  [X] c'));
    expect(q.kind).toBe('multiple');
    expect(q.kind === 'multiple' && q.options.map((o) => [o.html, o.correct])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
  });

  it('warns about a multiple-choice group without a correct option, and still imports', () => {
    const text = file('Q', '[ ] a', '[ ] b');
    expect(onlyQuestion(text).kind).toBe('multiple');
    expect(diagnosticsOf(text)).toEqual(['warning quiz.multiple-no-correct 2:1']);
  });

  it.each([
    ['{{ selected: Right }, { unselected: Missed }}', 'Right', 'Missed'],
    ['{{ selected: Right, unselected: Missed }}', 'Right', 'Missed'],
    ['{{ unselected: Missed }, { selected: Right }}', 'Right', 'Missed'],
    ['{{ SELECTED: Right }}', 'Right', null],
    ['{{unselected:Missed}}', null, 'Missed'],
    ['{{ selected: Yes, 3 is odd, unselected: No, 3, 5 }}', 'Yes, 3 is odd', 'No, 3, 5'],
  ])('reads checkbox feedback %s', (feedback, selected, unselected) => {
    const q = onlyQuestion(file(`[x] a ${feedback}`, '[ ] b'));
    expect(q.kind === 'multiple' && q.options[0]).toEqual({
      html: 'a',
      correct: true,
      feedback: null,
      feedbackSelected: selected,
      feedbackUnselected: unselected,
    });
  });

  it('reads plain feedback on a checkbox as feedback', () => {
    const q = onlyQuestion(file('[x] a {{ Indeed. }}', '[ ] b'));
    expect(q.kind === 'multiple' && q.options[0]).toEqual({
      html: 'a',
      correct: true,
      feedback: 'Indeed.',
      feedbackSelected: null,
      feedbackUnselected: null,
    });
  });
});

describe('parseQuiz: choice groups', () => {
  it('ends a group at the first line that is not a choice line', () => {
    const quiz = ok(file('<h3>1</h3>', ...VALID_CHOICE, '<h3>2</h3>', '(x) c', '( ) d'));
    expect(quiz.problems[0]!.blocks.map((b) => (b.type === 'html' ? b.html : b.question.id))).toEqual([
      '<h3>1</h3>',
      'p1q1',
      '<h3>2</h3>',
      'p1q2',
    ]);
  });

  it('starts a new question where single and multiple choice lines meet', () => {
    const quiz = ok(file('( ) a', '(x) b', '[x] c', '[ ] d'));
    expect(questionsOf(quiz).map((q) => [q.kind, q.line])).toEqual([
      ['single', 1],
      ['multiple', 3],
    ]);
  });

  it('ends a group at a blank line', () => {
    const quiz = ok(file('( ) a', '(x) b', '', '(x) c', '( ) d'));
    expect(questionsOf(quiz).map((q) => q.line)).toEqual([1, 4]);
    // So options split by a blank line are reported rather than silently merged.
    expect(diagnosticsOf(file('( ) a', '', '(x) b'))).toEqual(['error quiz.single-correct-count 1:1']);
  });

  it('does not read escaped brackets &#91; &#93; as a checkbox', () => {
    const quiz = ok(file('&#91; &#93; is an empty list', ...VALID_CHOICE));
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(1, '<p>&#91; &#93; is an empty list</p>'));
  });
});

describe('parseQuiz: explanations', () => {
  it('attaches an explanation to the question before it, and does not read it as a checkbox', () => {
    const q = onlyQuestion(
      file('( ) a', '(x) b', '[explanation]', 'Because <code>b</code>.', '', 'Second.', '[explanation]'),
    );
    expect(q.explanation).toBe('<p>Because <code>b</code>.</p>\n<p>Second.</p>');
  });

  it('gives each question of a problem its own explanation', () => {
    const quiz = ok(
      file(
        ...['( ) a', '(x) b', '[explanation]', 'E1', '[explanation]'],
        ...['[x] c', '[ ] d'],
        ...['(x) e', '( ) f', '[EXPLANATION]', 'E3', ' [explanation] '],
      ),
    );
    expect(questionsOf(quiz).map((q) => q.explanation)).toEqual(['<p>E1</p>', null, '<p>E3</p>']);
  });

  it('reads choices, answers and titles inside an explanation as its text', () => {
    const q = onlyQuestion(file(...VALID_CHOICE, '[explanation]', '(x) not a choice', '= 3', '====', '[explanation]'));
    expect(q.explanation).toBe('<p>(x) not a choice\n= 3\n====</p>');
  });

  it('attaches an explanation written before any question to the next one, with a warning', () => {
    const text = file('<hr/>', '[explanation]', 'Early', '[explanation]', ...VALID_CHOICE);
    expect(onlyQuestion(text).explanation).toBe('<p>Early</p>');
    expect(diagnosticsOf(text)).toEqual(['warning quiz.explanation-before-question 2:1']);
  });

  it('reports an explanation that is never closed, at its opening line', () => {
    const text = file('<hr/>', ...VALID_CHOICE, '[explanation]', 'Because.', '<hr/>', '(x) c', '( ) d');
    const result = parseQuiz(text, PATH);
    expect(result.value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error quiz.unclosed-explanation 4:1']);
    expect(result.diagnostics[0]!.message).toContain('[explanation]');
  });

  it('reports [explanation] sharing its line with text, at its column', () => {
    const text = file(...VALID_CHOICE, 'See [explanation]', 'Because', '[explanation]');
    expect(diagnosticsOf(text)).toEqual([
      'error quiz.explanation-not-alone 3:5',
      'error quiz.unclosed-explanation 5:1',
    ]);
  });

  it('attaches two explanations of one question one after the other', () => {
    const q = onlyQuestion(
      file(...VALID_CHOICE, '[explanation]', 'A', '[explanation]', '[explanation]', 'B', '[explanation]'),
    );
    expect(q.explanation).toBe('<p>A</p>\n<p>B</p>');
  });
});

describe('parseQuiz: numeric and text answers', () => {
  it.each([
    ['= 3', { value: 3, tolerance: 0 }],
    ['=3', { value: 3, tolerance: 0 }],
    ['= -2.5', { value: -2.5, tolerance: 0 }],
    ['= +.5', { value: 0.5, tolerance: 0 }],
    ['= 1.5e-3', { value: 0.0015, tolerance: 0 }],
    ['= 6.02E23', { value: 6.02e23, tolerance: 0 }],
    ['= 3 +- 0.1', { value: 3, tolerance: 0.1 }],
    ['= 3+-0.1', { value: 3, tolerance: 0.1 }],
    ['= -200 +- 5%', { value: -200, tolerance: 10 }],
    ['= 3 ± 1', { value: 3, tolerance: 1 }],
    [
      '= [5, 7)',
      {
        value: 6,
        tolerance: 1,
        range: { min: 5, max: 7, minInclusive: true, maxInclusive: false },
      },
    ],
    [
      '= (1,2]',
      {
        value: 1.5,
        tolerance: 0.5,
        range: { min: 1, max: 2, minInclusive: false, maxInclusive: true },
      },
    ],
  ])('reads %j as a numeric answer', (line, answer) => {
    expect(onlyQuestion(file('How much?', line))).toEqual({
      id: 'p1q1',
      kind: 'numeric',
      line: 2,
      label: null,
      hints: [],
      explanation: null,
      answers: [answer],
    });
  });

  it('reads or= alternatives of a numeric answer', () => {
    const q = onlyQuestion(file('= 3.14 +- 0.01', 'or= 3.1416', '  or= [3, 4]'));
    expect(q.kind === 'numeric' && q.answers).toEqual([
      { value: 3.14, tolerance: 0.01 },
      { value: 3.1416, tolerance: 0 },
      {
        value: 3.5,
        tolerance: 0.5,
        range: { min: 3, max: 4, minInclusive: true, maxInclusive: true },
      },
    ]);
  });

  it('reads a non-numeric answer and its alternatives as text, numbers included', () => {
    expect(onlyQuestion(file('= Paris', 'or= paris ', 'or= 75'))).toMatchObject({
      kind: 'text',
      line: 1,
      answers: ['Paris', 'paris', '75'],
    });
    expect(onlyQuestion(file('= 1,5')).kind).toBe('text');
    expect(onlyQuestion(file('= [a, b]')).kind).toBe('text');
  });

  it('reports a non-numeric alternative of a numeric answer', () => {
    const text = file('Q', '= 3', 'or= three');
    expect(parseQuiz(text, PATH).value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error quiz.numeric-alternative 3:1']);
    expect(messageOf(text, 'quiz.numeric-alternative')).toContain('"three" is not a number');
  });

  it('reports an or= line that follows no answer', () => {
    const text = file(...VALID_CHOICE, 'or= 3');
    expect(diagnosticsOf(text)).toEqual(['error quiz.alternative-without-answer 3:1']);
  });

  it('reports an answer line without an answer', () => {
    expect(diagnosticsOf(file('Q', '=   ', ...VALID_CHOICE))).toEqual(['error quiz.empty-answer 2:1']);
  });

  it('reports a range that holds no number', () => {
    expect(diagnosticsOf(file('= [7, 5]'))).toEqual(['error quiz.invalid-numeric 1:1']);
    expect(diagnosticsOf(file('= (5, 5]'))[0]).toBe('error quiz.invalid-numeric 1:1');
    expect(diagnosticsOf(file('= [5, 5]'))).toEqual([]);
  });

  it('ignores feedback on an answer line, with a warning', () => {
    const text = file('= 42 {{ The answer. }}');
    expect(onlyQuestion(text)).toMatchObject({
      kind: 'numeric',
      answers: [{ value: 42, tolerance: 0 }],
    });
    expect(diagnosticsOf(text)).toEqual(['warning quiz.answer-feedback-ignored 1:1']);
  });

  it('tells an answer line from a title underline', () => {
    const quiz = ok(file('Title', '=====', '= 5', '== not an answer'));
    expect(quiz.problems[0]!.title).toBe('Title');
    expect(questionsOf(quiz)).toHaveLength(1);
    expect(quiz.problems[0]!.blocks[1]).toEqual(html(4, '<p>== not an answer</p>'));
  });

  it('starts a new question at a second = line', () => {
    expect(questionsOf(ok(file('= 1', '= 2'))).map((q) => q.line)).toEqual([1, 2]);
  });
});

describe('parseQuiz: dropdowns', () => {
  it('reads a one-line dropdown', () => {
    expect(onlyQuestion(file('Pick:', '[[ int, (float) , str ]]'))).toEqual({
      id: 'p1q1',
      kind: 'dropdown',
      line: 2,
      label: null,
      hints: [],
      explanation: null,
      options: [
        { text: 'int', correct: false },
        { text: 'float', correct: true },
        { text: 'str', correct: false },
      ],
    });
  });

  it('reads a multi-line dropdown', () => {
    const q = onlyQuestion(file('[[', 'list', '', '(tuple)', '  dict', ']]', 'after'));
    expect(q).toMatchObject({
      kind: 'dropdown',
      line: 1,
      options: [
        { text: 'list', correct: false },
        { text: 'tuple', correct: true },
        { text: 'dict', correct: false },
      ],
    });
  });

  it('reports a dropdown without exactly one correct option', () => {
    expect(diagnosticsOf(file('[[a, b]]'))).toEqual(['error quiz.dropdown-correct-count 1:1']);
    expect(diagnosticsOf(file('x', '[[(a), (b)]]'))).toEqual(['error quiz.dropdown-correct-count 2:1']);
  });

  it('reports a multi-line dropdown that is never closed', () => {
    expect(diagnosticsOf(file(...VALID_CHOICE, '[[', '(a)', 'b'))).toEqual(['error quiz.unclosed-dropdown 3:1']);
  });
});

describe('parseQuiz: labels and hints', () => {
  it('gives a >>label<< to the next question', () => {
    const quiz = ok(file('>>Which <code>int</code>?<<', ...VALID_CHOICE, '[x] c', '[ ] d'));
    expect(questionsOf(quiz).map((q) => q.label)).toEqual(['Which <code>int</code>?', null]);
    expect(quiz.problems[0]!.blocks).toHaveLength(2);
  });

  it('reads the hint of >>label||hint<<', () => {
    expect(onlyQuestion(file('>>Capital?||Think of France<<', '= Paris'))).toMatchObject({
      label: 'Capital?',
      hints: ['Think of France'],
    });
  });

  it('attaches ||hint|| lines to the question they follow, or the next one', () => {
    const quiz = ok(file('||first||', ...VALID_CHOICE, '||second||', '|| third ||', '[x] c', '[ ] d'));
    expect(questionsOf(quiz).map((q) => q.hints)).toEqual([['first', 'second', 'third'], []]);
  });

  it('warns about a label, a hint or an explanation no question follows', () => {
    const text = file(...VALID_CHOICE, '<hr/>', '>>orphan<<', 'text', '<hr/>', '||alone||');
    expect(diagnosticsOf(text)).toEqual([
      'warning quiz.label-without-question 4:1',
      'warning quiz.problem-without-question 4:1',
      'warning quiz.hint-without-question 7:1',
    ]);
  });

  it('warns when a second label replaces one that no question used', () => {
    const text = file('>>one<<', '>>two<<', ...VALID_CHOICE);
    expect(onlyQuestion(text).label).toBe('two');
    expect(diagnosticsOf(text)).toEqual(['warning quiz.label-without-question 1:1']);
  });
});

describe('parseQuiz: <pre> blocks', () => {
  it('keeps a multi-line <pre> opaque: no choices, titles, answers or separators inside', () => {
    const quiz = ok(
      file('<pre>', '( ) x = 1', '[x] y', '=====', '= 3', '<hr/>', '[explanation]', '</pre>', ...VALID_CHOICE),
    );
    expect(quiz.problems).toHaveLength(1);
    expect(quiz.problems[0]!.blocks[0]).toEqual(
      html(1, '<pre>\n( ) x = 1\n[x] y\n=====\n= 3\n<hr/>\n[explanation]\n</pre>'),
    );
    expect(questionsOf(quiz)).toHaveLength(1);
  });

  it('keeps indentation and blank lines inside <pre>', () => {
    const quiz = ok(file('<pre>def f(x):', '', '    if x<0:', '        return -x</pre>', ...VALID_CHOICE));
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(1, '<pre>def f(x):\n\n    if x&lt;0:\n        return -x</pre>'));
  });

  it('reads a <pre> opened and closed on one line, then the lines after it', () => {
    const quiz = ok(file('<pre>a<b</pre>', ...VALID_CHOICE));
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(1, '<pre>a&lt;b</pre>'));
    expect(questionsOf(quiz)[0]!.line).toBe(2);
  });

  it('lets a choice option hold a multi-line <pre>', () => {
    const q = onlyQuestion(file('(x) <pre>', 'for i in range(3):', '    print(i)', '</pre>', '( ) <code>3</code>'));
    expect(q.kind === 'single' && q.options).toEqual([
      { html: '<pre>\nfor i in range(3):\n    print(i)\n</pre>', correct: true, feedback: null },
      { html: '<code>3</code>', correct: false, feedback: null },
    ]);
    expect(q.line).toBe(1);
  });

  it('reports a <pre> that is never closed, at its line and column', () => {
    const text = file(...VALID_CHOICE, 'Code: <pre class="python">', 'x = 1', '<hr/>', '(x) a');
    expect(parseQuiz(text, PATH).value).toBeNull();
    expect(diagnosticsOf(text)).toContain('error quiz.unclosed-pre 3:7');
  });

  it('keeps the line numbers of the lines after a multi-line <pre>', () => {
    const text = file('<pre>', 'a', 'b', '</pre>', '( ) x', '( ) y');
    expect(diagnosticsOf(text)).toEqual(['error quiz.single-correct-count 5:1']);
  });
});

describe('parseQuiz: inline HTML', () => {
  it('escapes a < that does not begin a known tag, and keeps entities as written', () => {
    const quiz = ok(
      file(
        'if a<b and b <= c: x<<2 &lt; &gt; &amp; &#91;0&#93;',
        '<!-- note -->',
        '<script>x</script>',
        ...VALID_CHOICE,
      ),
    );
    expect(quiz.problems[0]!.blocks[0]).toEqual(
      html(
        1,
        '<p>if a&lt;b and b &lt;= c: x&lt;&lt;2 &lt; &gt; &amp; &#91;0&#93;\n&lt;!-- note -->\n' +
          '&lt;script>x&lt;/script></p>',
      ),
    );
  });

  it('keeps known tags, with attributes, closing and self-closing', () => {
    const text =
      '<b>b</b><i>i</i><em>e</em><strong>s</strong><u>u</u><s>s</s><sub>1</sub><sup>2</sup>' +
      '<span class="x">s</span><br/><br><br /><a href="https://x.org/?a=1&b=2">a</a><img src="x.png" alt="x"/>' +
      '<small>s</small><kbd>k</kbd><code>c</code><CODE>C</CODE>';
    expect(ok(file(text, ...VALID_CHOICE)).problems[0]!.blocks[0]).toEqual(html(1, `<p>${text}</p>`));
  });

  it('escapes stray < in options, titles, labels, hints and feedback', () => {
    const quiz = ok(file('a<b', '====', '>>x<y<<', '||p<q||', '(x) 1<2 {{ 2>1 but 1<2 }}', '( ) <i>no</i>'));
    expect(quiz.problems[0]!.title).toBe('a&lt;b');
    expect(questionsOf(quiz)[0]).toMatchObject({
      label: 'x&lt;y',
      hints: ['p&lt;q'],
      options: [
        { html: '1&lt;2', feedback: '2>1 but 1&lt;2' },
        { html: '<i>no</i>', feedback: null },
      ],
    });
  });

  it('repairs <\\code> closing tags, warning at their line and column', () => {
    const text = file('<hr/>', 'Type <code>x<\\code> then <b>y<\\B >', '(x) <code>a<\\code>', '( ) b');
    const quiz = ok(text);
    expect(quiz.problems[0]!.blocks[0]).toEqual(html(2, '<p>Type <code>x</code> then <b>y</B></p>'));
    expect(questionsOf(quiz)[0]).toMatchObject({
      options: [{ html: '<code>a</code>' }, { html: 'b' }],
    });
    expect(diagnosticsOf(text)).toEqual([
      'warning quiz.malformed-closing-tag 2:13',
      'warning quiz.malformed-closing-tag 2:30',
      'warning quiz.malformed-closing-tag 3:12',
    ]);
    expect(messageOf(text, 'quiz.malformed-closing-tag')).toBe(
      'The closing tag <\\code> is written with a backslash; it is read as </code>. ' +
        'Closing tags are written with a slash: </code>.',
    );
  });

  it('repairs a malformed </pre> before looking for the end of the block', () => {
    const text = file('<pre>', 'x = 1', '<\\pre>', ...VALID_CHOICE);
    expect(ok(text).problems[0]!.blocks[0]).toEqual(html(1, '<pre>\nx = 1\n</pre>'));
    expect(diagnosticsOf(text)).toEqual(['warning quiz.malformed-closing-tag 3:1']);
  });
});

describe('parseQuiz: HTML text blocks', () => {
  it('splits paragraphs at blank lines, wraps inline ones in <p> and joins lines with \\n', () => {
    const quiz = ok(
      file('One', 'two', '', '', '<h3>Head</h3>', '', '<p>Own</p>', '<div>d</div>', '<em>x</em>', ...VALID_CHOICE),
    );
    expect(quiz.problems[0]!.blocks.slice(0, 4)).toEqual([
      html(1, '<p>One\ntwo</p>'),
      html(5, '<h3>Head</h3>'),
      html(7, '<p>Own</p>\n<div>d</div>\n<em>x</em>'),
      expect.objectContaining({ type: 'question' }),
    ]);
  });

  it.each([
    '<ul><li>a</li></ul>',
    '<ol>',
    '<table>',
    '<blockquote>q</blockquote>',
    '<h1>a</h1>',
    '<h6>a</h6>',
    '<pre>x</pre>',
    '<div class="a">',
  ])('does not wrap a paragraph starting with %s', (start) => {
    expect(ok(file(start, ...VALID_CHOICE)).problems[0]!.blocks[0]).toEqual(html(1, start));
  });

  it('keeps text and questions in the order written', () => {
    const quiz = ok(file('Before', ...VALID_CHOICE, 'Between', '= 1', 'After'));
    expect(quiz.problems[0]!.blocks.map((b) => (b.type === 'html' ? b.html : b.question.kind))).toEqual([
      '<p>Before</p>',
      'single',
      '<p>Between</p>',
      'numeric',
      '<p>After</p>',
    ]);
  });
});

describe('parseQuiz: feedback lines', () => {
  it('ignores compound feedback {{ ((A B)) … }}, with a warning', () => {
    const text = file('[x] A', '[x] B', '[ ] C', '{{ ((A B)) Right, both! }}', '{{ ((A)) Half }}');
    const quiz = ok(text);
    expect(JSON.stringify(quiz)).not.toContain('Right, both');
    expect(diagnosticsOf(text)).toEqual([
      'warning quiz.compound-feedback-ignored 4:1',
      'warning quiz.compound-feedback-ignored 5:1',
    ]);
  });

  it('ignores a feedback line that stands alone, with a warning', () => {
    const text = file(...VALID_CHOICE, '{{ Well done }}');
    expect(JSON.stringify(ok(text))).not.toContain('Well done');
    expect(diagnosticsOf(text)).toEqual(['warning quiz.feedback-ignored 3:1']);
  });
});

describe('parseQuiz: files without questions', () => {
  it('warns about a problem with text but no question, and keeps its text', () => {
    const text = file('<hr/>', 'Just words', '<hr/>', ...VALID_CHOICE);
    const quiz = ok(text);
    expect(quiz.problems[0]).toEqual({
      id: 'p1',
      line: 2,
      title: null,
      blocks: [html(2, '<p>Just words</p>')],
    });
    expect(diagnosticsOf(text)).toEqual(['warning quiz.problem-without-question 2:1']);
    expect(messageOf(text, 'quiz.problem-without-question')).toMatch(/^This problem has no question/);
  });

  it.each([
    ['an empty file', ''],
    ['only blank lines and separators', '\n<hr/>\n\n<hr/>\n'],
    ['a preamble only', 'Hello\n'],
  ])('reports %s as an empty quiz at line 1', (_, text) => {
    const result = parseQuiz(text, PATH);
    expect(result.value).toBeNull();
    expect(result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['quiz.empty 1:1']);
  });

  it('reports a quiz whose problems hold only text as empty', () => {
    expect(diagnosticsOf(file('<hr/>', 'Words'))).toEqual([
      'error quiz.empty 1:1',
      'warning quiz.problem-without-question 2:1',
    ]);
  });
});

describe('parseQuiz: encodings and line ends', () => {
  const lines = ['Title', '=====', '( ) a', '(x) b', '(x) c'];

  it("accepts a BOM and CRLF and reports the lines of the author's file", () => {
    const text = '\uFEFF' + lines.join('\r\n') + '\r\n';
    expect(diagnosticsOf(text)).toEqual(['error quiz.single-correct-count 3:1']);
    const fixed = '\uFEFF' + ['Title', '=====', '( ) a', '(x) b'].join('\r\n');
    expect(ok(fixed)).toEqual(ok(['Title', '=====', '( ) a', '(x) b'].join('\n')));
  });

  it('keeps columns right on a first line after a BOM', () => {
    expect(diagnosticsOf('\uFEFFab<\\code>\n' + VALID_CHOICE.join('\n'))).toEqual([
      'warning quiz.malformed-closing-tag 1:3',
    ]);
  });

  it('names the file in every diagnostic', () => {
    const all = parseQuiz(file('( ) a'), 'w2/other.quiz').diagnostics;
    expect(all.map((d) => d.file)).toEqual(['w2/other.quiz']);
  });
});

describe('parseQuiz: a file shaped like the real course', () => {
  const text = file(
    '<em>Ce quiz porte sur les bases.</em>',
    '<hr/>',
    'Nombres entiers',
    '====',
    '',
    '<h3>Question 1</h3>',
    'Que vaut <code>0b101</code> ?',
    '( ) <code>101</code>',
    '(x) <code>5</code>',
    '( ) <code>0x5<\\code>',
    '',
    '[explanation]',
    '<code>0b</code> introduit un entier en base 2 : <code>a&#91;0&#93;</code>.',
    '<pre>',
    '>>> 0b101',
    '5',
    '</pre>',
    '[explanation]',
    '',
    '<h3>Question 2</h3>',
    'Quels objets sont mutables ?',
    '[x] <code>list</code>',
    '[ ] <code>tuple</code>',
    '[x] <code>dict</code>',
    '<hr/>',
    '<h3>Question 3</h3>',
    '<pre>if a<b:',
    '    print(a)</pre>',
    '[ ] rien',
    '[x] <code>a</code>',
    '<hr/>',
  );

  it('imports it with one warning', () => {
    const result = parseQuiz(text, PATH);
    expect(result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual([
      'quiz.malformed-closing-tag 10:14',
    ]);
    const quiz = result.value!;
    expect(quiz.preamble).toBe('<p><em>Ce quiz porte sur les bases.</em></p>');
    expect(quiz.problems.map((p) => [p.id, p.line, p.title])).toEqual([
      ['p1', 3, 'Nombres entiers'],
      ['p2', 26, null],
    ]);
    expect(questionsOf(quiz).map((q) => [q.id, q.kind, q.line])).toEqual([
      ['p1q1', 'single', 8],
      ['p1q2', 'multiple', 22],
      ['p2q1', 'multiple', 29],
    ]);
    expect(questionsOf(quiz)[0]!.explanation).toBe(
      '<p><code>0b</code> introduit un entier en base 2 : <code>a&#91;0&#93;</code>.\n' +
        '<pre>\n>>> 0b101\n5\n</pre></p>',
    );
    expect(quiz.problems[1]!.blocks.slice(0, 1)).toEqual([
      html(26, '<h3>Question 3</h3>\n<pre>if a&lt;b:\n    print(a)</pre>'),
    ]);
  });

  it('projects it to a public form without answers', () => {
    const publicQuiz = toPublicQuiz(parseQuiz(text, PATH).value!);
    expect(publicQuiz.problems[0]!.blocks[1]).toEqual({
      type: 'question',
      question: {
        id: 'p1q1',
        kind: 'single',
        label: null,
        hints: [],
        options: [{ html: '<code>101</code>' }, { html: '<code>5</code>' }, { html: '<code>0x5</code>' }],
      },
    });
    expect(JSON.stringify(publicQuiz)).not.toContain('introduit');
  });
});

describe('toPublicQuiz', () => {
  const text = file(
    'Intro',
    '<hr/>',
    'T',
    '=====',
    'Body',
    '>>Label<<',
    '||Hint||',
    '( ) a {{ FB1 }}',
    '(x) b',
    '[explanation]',
    'EXPL1',
    '[explanation]',
    '[x] c {{ selected: SEL }, { unselected: UNSEL }}',
    '[ ] d {{ FB2 }}',
    '= 42 +- 1',
    '= SECRETWORD',
    'or= OTHERWORD',
    '[[x, (YZ), w]]',
  );
  const full = ok(text);
  const publicQuiz = toPublicQuiz(full);

  it('keeps what a learner may see, and only that', () => {
    expect(publicQuiz).toEqual({
      path: PATH,
      preamble: '<p>Intro</p>',
      problems: [
        {
          id: 'p1',
          title: 'T',
          blocks: [
            html(5, '<p>Body</p>'),
            {
              type: 'question',
              question: {
                id: 'p1q1',
                kind: 'single',
                label: 'Label',
                hints: ['Hint'],
                options: [{ html: 'a' }, { html: 'b' }],
              },
            },
            {
              type: 'question',
              question: {
                id: 'p1q2',
                kind: 'multiple',
                label: null,
                hints: [],
                options: [{ html: 'c' }, { html: 'd' }],
              },
            },
            { type: 'question', question: { id: 'p1q3', kind: 'numeric', label: null, hints: [] } },
            { type: 'question', question: { id: 'p1q4', kind: 'text', label: null, hints: [] } },
            {
              type: 'question',
              question: {
                id: 'p1q5',
                kind: 'dropdown',
                label: null,
                hints: [],
                options: [{ text: 'x' }, { text: 'YZ' }, { text: 'w' }],
              },
            },
          ],
        },
      ],
    });
  });

  it('leaks no explanation, feedback, answer or correct flag', () => {
    const json = JSON.stringify(publicQuiz);
    for (const secret of ['FB1', 'FB2', 'SEL', 'EXPL1', 'SECRETWORD', 'OTHERWORD', '42', 'correct', '(x)', '[x]']) {
      expect(json).not.toContain(secret);
    }
    // The full model does hold them: the test above would pass vacuously otherwise.
    const fullJson = JSON.stringify(full);
    for (const secret of ['FB1', 'FB2', 'SEL', 'UNSEL', 'EXPL1', 'SECRETWORD', 'OTHERWORD', '42']) {
      expect(fullJson).toContain(secret);
    }
  });

  it('does not share arrays with the full model', () => {
    const q = publicQuiz.problems[0]!.blocks[1];
    expect(q?.type === 'question' && q.question.hints).toEqual(['Hint']);
    if (q?.type === 'question') q.question.hints.push('changed');
    expect(questionsOf(full)[0]!.hints).toEqual(['Hint']);
  });
});

describe('parseQuiz: diagnostics', () => {
  const choice = VALID_CHOICE.join('\n');
  it.each([
    ['quiz.unclosed-pre', 'error', `<pre>\n${choice}`],
    ['quiz.malformed-closing-tag', 'warning', `<code>x<\\code>\n${choice}`],
    ['quiz.stray-underline', 'warning', `====\n${choice}`],
    ['quiz.single-correct-count', 'error', '( ) a\n( ) b'],
    ['quiz.multiple-no-correct', 'warning', '[ ] a\n[ ] b'],
    ['quiz.compound-feedback-ignored', 'warning', `${choice}\n{{ ((A B)) x }}`],
    ['quiz.feedback-ignored', 'warning', `${choice}\n{{ x }}`],
    ['quiz.explanation-before-question', 'warning', `[explanation]\nx\n[explanation]\n${choice}`],
    ['quiz.explanation-without-question', 'warning', `${choice}\n<hr/>\n[explanation]\nx\n[explanation]`],
    ['quiz.unclosed-explanation', 'error', `${choice}\n[explanation]\nx`],
    ['quiz.explanation-not-alone', 'error', `${choice}\n[explanation] x`],
    ['quiz.numeric-alternative', 'error', '= 1\nor= one'],
    ['quiz.invalid-numeric', 'error', '= 1e400'],
    ['quiz.alternative-without-answer', 'error', `${choice}\nor= 1`],
    ['quiz.empty-answer', 'error', `${choice}\n=`],
    ['quiz.answer-feedback-ignored', 'warning', '= 1 {{ yes }}'],
    ['quiz.dropdown-correct-count', 'error', '[[a, b]]'],
    ['quiz.unclosed-dropdown', 'error', `${choice}\n[[\n(a)`],
    ['quiz.label-without-question', 'warning', `${choice}\n>>l<<`],
    ['quiz.hint-without-question', 'warning', `${choice}\n<hr/>\nx\n||h||`],
    ['quiz.problem-without-question', 'warning', `${choice}\n<hr/>\nx`],
    ['quiz.empty', 'error', 'x'],
  ])('reports %s as an %s in a sentence', (code, severity, text) => {
    const found = parseQuiz(text, PATH).diagnostics.filter((d) => d.code === code);
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe(severity);
    expect(found[0]!.message).toMatch(/^[A-Z].{30,}\.$/s);
    expect(parseQuiz(text, PATH).value === null).toBe(severity === 'error');
  });

  it('returns diagnostics in file order', () => {
    const text = file('( ) a', '( ) b', '<hr/>', '<code>x<\\code>', '', '====', '= 1 {{ f }}');
    expect(diagnosticsOf(text)).toEqual([
      'error quiz.single-correct-count 1:1',
      'warning quiz.malformed-closing-tag 4:8',
      'warning quiz.stray-underline 6:1',
      'warning quiz.answer-feedback-ignored 7:1',
    ]);
  });

  it('reads pathological long lines in linear time', () => {
    const n = 100_000;
    const lines = [
      '( ) ' + ' '.repeat(n) + 'x',
      '[x] {{ selected:' + ' '.repeat(n) + 'x',
      'or= a' + ' '.repeat(n) + 'b',
      '<pre '.repeat(n / 5),
      '( ) ' + '{{'.repeat(n / 2),
      '>>' + '<<'.repeat(n / 2) + 'x',
      '<b '.repeat(n / 3),
      '<\\a'.repeat(n / 3),
      '= ' + '1'.repeat(n) + 'x',
      'x <pre>[explanation]'.repeat(n / 20),
    ];
    const started = performance.now();
    for (const line of lines) parseQuiz(line, PATH);
    // Quadratic backtracking would take minutes here; linear scans take milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: any quiz-like text is read without throwing, with sane diagnostics, and the public
// projection never carries a secret. Each generated line gets a unique marker (¤<index>¤) in its
// secret-bearing part, so a secret found in the full model can be looked for in the public one.

const MARK = '¤#¤';

const looseText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc
    .array(
      fc.constantFrom(
        'a',
        ' ',
        '<',
        '>',
        '{{',
        '}}',
        '(x)',
        '[ ]',
        '||',
        '=',
        ',',
        '(',
        ')',
        '[',
        ']',
        '<b>',
        '<pre>',
        '</pre>',
        '\\',
        '&lt;',
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join('')),
);

const choiceLine = fc
  .tuple(
    fc.constantFrom('( ) ', '(x) ', '(X) ', '  ( ) ', '[ ] ', '[x] ', '[X] ', '(x)'),
    looseText,
    fc.constantFrom(
      '',
      ` {{ fb ${MARK} }}`,
      ` {{ selected: s ${MARK} }, { unselected: u ${MARK} }}`,
      ` {{ selected: s ${MARK}, unselected: u ${MARK} }}`,
    ),
  )
  .map(([marker, text, feedback]) => marker + text + feedback);

const quizLine = fc.oneof(
  { weight: 3, arbitrary: choiceLine },
  { weight: 2, arbitrary: looseText },
  { weight: 2, arbitrary: fc.constantFrom('', '   ', `text ${MARK}`, `<p>para ${MARK}</p>`) },
  fc.constantFrom('<hr/>', '<hr>', ' <HR /> ', '====', '=====', '==', '[explanation]', ' [Explanation] '),
  fc.constantFrom('<pre>', '</pre>', '<pre>x = 1</pre>', 'a <pre>b', 'c</pre> d', '<\\code>', '<\\pre>'),
  fc.constantFrom(
    '= 3 +- 0.1',
    '= 42',
    '=7',
    '= [5, 7)',
    '= (1, 2]',
    '= 1e999',
    `= ans ${MARK}`,
    '= ',
    'or= 4',
    `or= alt ${MARK}`,
  ),
  fc.constantFrom(
    '[[a, (b), c]]',
    '[[a, b]]',
    '[[',
    ']]',
    '(b)',
    '>>q<<',
    '>>q||h<<',
    '||h||',
    '{{ ((A B)) x }}',
    `{{ f ${MARK} }}`,
  ),
  fc.constantFrom(`= ans ${MARK} {{ fb ${MARK} }}`, '[explanation] inline', 'if a<b:', '&#91;x&#93;', '&lt;'),
);

const lineEnd = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');

const quizText = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(quizLine, lineEnd), { maxLength: 40 }))
  .map(([bom, lines]) => {
    const body = lines.map(([line, end], i) => line.replaceAll('#', String(i)) + end).join('');
    return (bom ? '\uFEFF' : '') + body;
  });

/** Every marker found in the secret fields of a full quiz. */
function secretMarks(quiz: Quiz): string[] {
  const secrets: string[] = [];
  for (const q of questionsOf(quiz)) {
    if (q.explanation !== null) secrets.push(q.explanation);
    if (q.kind === 'single' || q.kind === 'multiple') {
      for (const o of q.options) secrets.push(o.feedback ?? '', o.feedbackSelected ?? '', o.feedbackUnselected ?? '');
    }
    if (q.kind === 'text') secrets.push(...q.answers);
  }
  return secrets.flatMap((s) => s.match(/¤\d+¤/g) ?? []);
}

const FORBIDDEN_KEYS = new Set([
  'correct',
  'feedback',
  'feedbackSelected',
  'feedbackUnselected',
  'explanation',
  'answers',
]);

function forbiddenKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(forbiddenKeys);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [...(FORBIDDEN_KEYS.has(key) ? [key] : []), ...forbiddenKeys(v)]);
}

function isSane(text: string, diagnostics: Diagnostic[]): boolean {
  const lineCount = normaliseText(text).split('\n').length;
  return diagnostics.every(
    (d) => d.file === PATH && d.line >= 1 && d.line <= lineCount + 1 && d.column >= 1 && d.message.length > 0,
  );
}

describe('parseQuiz: <pre> blocks in options', () => {
  it('keeps braces inside a multi-line <pre> as code; the feedback is the one after it', () => {
    // Found by the property below: the feedback used to start at the first {{, inside the code.
    const text = '(x)<pre>\n= ans {{ fb }}\n( ) </pre> {{ selected: s, unselected: u }}\n';
    const { value } = parseQuiz(text, PATH);
    const question = value!.problems[0]!.blocks[0]!;
    if (question.type !== 'question' || question.question.kind !== 'single') throw new Error('a single choice');
    const option = question.question.options[0]!;
    expect(option.html).toContain('= ans {{ fb }}');
    expect(option.html).toContain('</pre>');
    expect(JSON.stringify(toPublicQuiz(value!))).not.toContain('selected: s');
  });
});

describe('parseQuiz: properties', () => {
  it('reads any quiz-like text without throwing, and never leaks a secret', () => {
    let imported = 0;
    fc.assert(
      fc.property(quizText, (text) => {
        const { value, diagnostics } = parseQuiz(text, PATH);
        expect(isSane(text, diagnostics)).toBe(true);
        expect(value === null).toBe(diagnostics.some((d) => d.severity === 'error'));
        if (value === null) return;
        imported++;
        const publicQuiz = toPublicQuiz(value);
        expect(forbiddenKeys(publicQuiz)).toEqual([]);
        const json = JSON.stringify(publicQuiz);
        for (const mark of secretMarks(value)) expect(json).not.toContain(mark);
      }),
      { numRuns: 5000 },
    );
    // The generator must reach the interesting case, not only files with errors.
    expect(imported).toBeGreaterThan(250);
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const { value, diagnostics } = parseQuiz(text, PATH);
        expect(isSane(text, diagnostics)).toBe(true);
        expect(value === null).toBe(diagnostics.some((d) => d.severity === 'error'));
      }),
      { numRuns: 2000 },
    );
  });
});
