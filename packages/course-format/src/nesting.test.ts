import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isSeq, parseDocument, stringify, type Document } from 'yaml';
import { aliasTargets, jsonTooDeepAt, yamlAliasesTooDeepAt, yamlTooDeepAt } from './nesting.ts';

/** Levels of lists and mappings: a scalar is 0, an empty list 1. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

const scalar = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('[', ']', '{', '}', '- x', "it's", '"q"', '# c', 'a: b', '|', '> x', 'x\ny', ' [ '),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 }),
  ),
}));

const yamlStyles = [
  (v: unknown) => stringify(v),
  (v: unknown) => stringify(v, { collectionStyle: 'flow' }),
  (v: unknown) => stringify(v, { indentSeq: false }),
  (v: unknown) => stringify(v, { indent: 1 }),
  (v: unknown) => stringify(v, { defaultStringType: 'QUOTE_SINGLE' }),
  (v: unknown) => stringify(v, { defaultStringType: 'BLOCK_LITERAL' }),
  (v: unknown) => JSON.stringify(v, null, 1),
];

describe('nesting limits', () => {
  it('finds the first bracket past the limit in JSON, and ignores brackets in strings', () => {
    expect(jsonTooDeepAt('[[[]]]', 3)).toBe(-1);
    expect(jsonTooDeepAt('[[[[]]]]', 3)).toBe(3);
    expect(jsonTooDeepAt('["[[[[", "\\"[[[["]', 1)).toBe(-1);
    expect(jsonTooDeepAt('{"a": {"b": [1]}}', 2)).toBe(12);
  });

  it('counts YAML levels by indentation, compact indicators and flow collections', () => {
    expect(yamlTooDeepAt('a:\n  b:\n    c: 1\n', 3)).toBe(-1);
    expect(yamlTooDeepAt('a:\n  b:\n    c:\n      d: 1\n', 3)).toBe(22);
    expect(yamlTooDeepAt('- - - - x\n', 3)).toBe(6);
    expect(yamlTooDeepAt('a: [[[x]]]\n', 3)).toBe(5);
    expect(yamlTooDeepAt('a: "[[[[" # [[[[\nb: |\n  [[[[[[\n  {{{{{\nc: x[[[[\n', 2)).toBe(-1);
  });

  it('never counts fewer levels than a value has, in any YAML or JSON style (soundness)', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(...yamlStyles), fc.integer({ min: 1, max: 6 }), (v, style, limit) => {
        const text = style(v);
        const depth = depthOf(v);
        if (depth > limit) expect(yamlTooDeepAt(text, limit)).toBeGreaterThanOrEqual(0);
        if (depth > limit && style === yamlStyles.at(-1)) expect(jsonTooDeepAt(text, limit)).toBeGreaterThanOrEqual(0);
        if (style === yamlStyles.at(-1)) expect(jsonTooDeepAt(text, limit) >= 0).toBe(depth > limit);
      }),
      { numRuns: 3000 },
    );
  });

  it('counts at most one level more than a value has, plus one per compact indicator', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(...yamlStyles), (v, style) => {
        const text = style(v);
        const depth = depthOf(v);
        // Room for the estimate: the document's own top level and one compact `- ` per level.
        expect(yamlTooDeepAt(text, 2 * depth + 1)).toBe(-1);
      }),
      { numRuns: 3000 },
    );
  });

  it('never counts fewer levels than the yaml parser builds, whatever the writing style (soundness)', () => {
    /** The levels of a parsed document's nodes, aliases not followed (as the parser nests them). */
    const nodeDepth = (node: unknown): number => {
      if (isMap(node) || isSeq(node)) {
        const children = (node.items as unknown[]).flatMap((i) => (isPair(i) ? [i.key, i.value] : [i]));
        return 1 + Math.max(0, ...children.map(nodeDepth));
      }
      return 0;
    };
    type Tree = { scalar: string } | { seq: Tree[]; flow: boolean } | { map: [Tree, Tree][]; flow: boolean };
    const scalarText = fc.constantFrom('x', 'a b', '"q [ { #"', "'it''s ]'", 'x[y', '&a z', '!!str w', '1');
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalarText.map((t) => ({ scalar: t })),
        fc.record({ seq: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }), flow: fc.boolean() }),
        fc.record({
          map: fc.array(fc.tuple(tie('tree'), tie('tree')), { minLength: 1, maxLength: 3 }),
          flow: fc.boolean(),
        }),
      ),
    }));
    const isBlock = (t: Tree): boolean => !('scalar' in t) && !t.flow;
    const flowText = (t: Tree): string =>
      'scalar' in t
        ? t.scalar.replace(/[[\]{},]/g, '')
        : 'seq' in t
          ? `[${t.seq.map(flowText).join(', ')}]`
          : `{${t.map.map(([k, v]) => `${flowText(k)}: ${flowText(v)}`).join(', ')}}`;
    /** A block collection's lines, each indented by `n`; `compact` picks the same-line forms. */
    const block = (t: Tree, n: number, compact: boolean[]): string => {
      const pad = ' '.repeat(n);
      const nested = (v: Tree, m: number): string => {
        if (!isBlock(v))
          return ` ${'scalar' in v && compact.pop() ? '|\n' + ' '.repeat(m + 2) + '[[{ ' + v.scalar : flowText(v)}\n`;
        if (compact.pop() && 'seq' in v) return ` ${block(v, m + 2, compact).trimStart()}`;
        return `\n${block(v, m + 2, compact)}`;
      };
      if ('seq' in t) return t.seq.map((item) => `${pad}-${nested(item, n)}`).join('');
      if ('map' in t)
        return t.map
          .map(([k, v]) => {
            if (isBlock(k)) return `${pad}?${nested(k, n)}${pad}:${nested(v, n)}`;
            return `${pad}${flowText(k)}:${nested(v, n)}`;
          })
          .join('');
      return `${pad}${t.scalar}\n`;
    };
    let deep = 0;
    fc.assert(
      fc.property(
        tree.filter(isBlock),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (t, compact, limit) => {
          const text = block(t, 0, compact);
          const doc = parseDocument(text, { uniqueKeys: false });
          if (doc.errors.length > 0) return;
          if (nodeDepth(doc.contents) <= limit) return;
          deep++;
          expect(yamlTooDeepAt(text, limit)).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 1500 },
    );
    // Enough valid documents deeper than the limit for the test to mean something.
    expect(deep).toBeGreaterThan(250);
  }, 30_000);

  it('finds values that aliases nest too deep, at the alias', () => {
    const chain = (n: number) =>
      ['a0: &a0 [1]', ...Array.from({ length: n }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}]`)].join('\n');
    const doc = (text: string): Document => parseDocument(text);
    expect(yamlTooDeepAt(chain(200))).toBe(-1);
    expect(yamlAliasesTooDeepAt(doc(chain(10)), aliasTargets(doc(chain(10))), 64)).toBe(-1);
    const deep = chain(200);
    const parsed = doc(deep);
    const at = yamlAliasesTooDeepAt(parsed, aliasTargets(parsed), 64);
    expect(deep.slice(at, at + 4)).toBe('*a63');
  });
});
