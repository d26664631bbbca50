import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * Nesting limits checked before parsing. The JSON and YAML parsers (and everything that walks
 * their values: JSON.stringify, structuredClone, readers) recurse once per level, so a small file
 * nesting 10,000 lists overflows the stack — sometimes as a RangeError, sometimes as a fatal V8
 * error that no `catch` sees. Real notebook metadata and manifests nest a handful of levels.
 */

/** Deepest nesting a course's JSON or YAML may have. */
export const MAX_NESTING = 64;

/**
 * The offset of the first `[` or `{` of `text` (JSON) opened deeper than `limit`, or -1. Brackets
 * inside strings do not count; the text need not be valid JSON (the parser reports that).
 */
export function jsonTooDeepAt(text: string, limit = MAX_NESTING): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d /* ] */ || c === 0x7d) /* } */ && depth > 0) {
      depth--;
    }
  }
  return -1;
}

/** Tokens yaml's lexer emits that are not in the text: document, flow-error and scalar markers. */
const MARKERS = new Set(['\x02', '\x18', '\x1f']);

/**
 * The offset where `text` (YAML) nests deeper than `limit`, or -1. yaml's own lexer (a loop, not
 * recursive) tells flow collections, quoted and block scalars and comments apart exactly as its
 * parser will. Block levels are followed by column: each `- ` or `? ` indicator and each `key:`
 * opens a level at its column, and a line belongs to the last level opened left of its first
 * token (or at it, for a `- ` item under a `key:` with no value on its line). Conservative: the
 * count may exceed the document's depth, never fall short of it.
 */
export function yamlTooDeepAt(text: string, limit = MAX_NESTING): number {
  // Each level needs its own indicator (`-`, `?`, `:`, `[`, `{`): few of them, nothing to follow.
  let indicators = 0;
  for (let i = 0; i < text.length && indicators <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2d || c === 0x3f || c === 0x3a || c === 0x5b || c === 0x7b) indicators++;
  }
  if (indicators <= limit) return -1;
  const levels: { column: number; depth: number; opensValue: boolean }[] = [];
  let offset = 0;
  let lineOffset = 0;
  let flow = 0;
  /** The block depth where the outermost open flow collection started. */
  let flowBase = 0;
  let scalarNext = false;
  // The current line: whether it has begun (a token other than spaces), outside a flow; its
  // depth so far; where its current node starts; its mapping level, if a `key:` opened one.
  let started = false;
  let block = false;
  let depth = 0;
  let nodeColumn = -1;
  let keyLevel: (typeof levels)[number] | null = null;
  /** The deepest flow level reached on the line: a flow collection before `:` is a key. */
  let flowPeak = 0;
  const newLine = (at: number): void => {
    lineOffset = at;
    started = block = false;
    nodeColumn = -1;
    keyLevel = null;
    flowPeak = 0;
  };
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token) && !scalarNext) {
      scalarNext = token === '\x1f';
      continue;
    }
    const at = offset;
    offset += token.length;
    const column = at - lineOffset;
    const content = scalarNext || token[0] === '"' || token[0] === "'";
    scalarNext = false;
    if (!content && (token === '\n' || token === '\r\n' || token === '')) {
      newLine(offset);
      continue;
    }
    // A block scalar's body ends with its line break: the next token starts a line.
    if (content && token.endsWith('\n')) {
      newLine(offset);
      continue;
    }
    const space = !content && (token[0] === ' ' || token[0] === '\t');
    const comment = !content && token[0] === '#';
    if (space || comment) continue;
    if (!content && (token === '---' || token === '...') && !started) {
      levels.length = 0;
      flow = 0;
      continue;
    }
    if (!started) {
      started = true;
      block = flow === 0;
      if (block) {
        const item = !content && token === '-';
        let top = levels.at(-1);
        while (top && (top.column > column || (top.column === column && !(item && top.opensValue)))) {
          levels.pop();
          top = levels.at(-1);
        }
        depth = top?.depth ?? 0;
      }
    }
    // Anything after `key:` on its line is its value: a `- ` below is then not part of it.
    if (keyLevel && token !== ':') keyLevel.opensValue = false;
    if (flow === 0 && !content && (token === '-' || token === '?')) {
      if (++depth > limit) return at;
      levels.push({ column, depth, opensValue: false });
      // The node after the indicator starts at its own column.
      nodeColumn = -1;
      continue;
    } else if (flow === 0 && !content && token === ':' && !keyLevel) {
      // `[a]: b` is a mapping whose key is a list: the mapping holds the flow levels too.
      if (++depth > limit || flowPeak + 1 > limit) return at;
      keyLevel = { column: nodeColumn >= 0 ? nodeColumn : column, depth, opensValue: true };
      levels.push(keyLevel);
    } else if (!content && (token === '[' || token === '{')) {
      if (flow === 0) flowBase = depth;
      flowPeak = Math.max(flowPeak, flowBase + ++flow);
      if (flowPeak > limit) return at;
    } else if (!content && (token === ']' || token === '}') && flow > 0) {
      flow--;
    }
    if (nodeColumn < 0) nodeColumn = column;
  }
  return -1;
}

/** What each alias of a document names. */
export type AliasTargets = Map<Alias, Node | undefined>;

/**
 * Each alias's node, found in one walk: the last node anchored with its name before it (YAML's
 * rule). `Alias.resolve` searches the whole document for each alias instead: quadratic, minutes
 * for a few thousand aliases.
 */
export function aliasTargets(doc: Document): AliasTargets {
  const anchors = new Map<string, Node>();
  const targets: AliasTargets = new Map();
  visit(doc, (_key, node) => {
    if (isAlias(node)) targets.set(node, anchors.get(node.source));
    else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.set(node.anchor, node);
  });
  return targets;
}

/**
 * The offset of an alias through which `doc`'s value nests deeper than `limit` once aliases are
 * replaced by what they name (`b: &b [*a]`, `c: &c [*b]`… adds a level per line), or -1. One
 * post-order walk with an explicit stack; an alias names a node that ended before it, so that
 * node's depth is known when the alias is met (cycles are refused before this is called).
 */
export function yamlAliasesTooDeepAt(doc: Document, targets: AliasTargets, limit = MAX_NESTING): number {
  const depths = new Map<unknown, { depth: number; via: number }>();
  const stack: { node: unknown; done: boolean }[] = [{ node: doc.contents, done: false }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { node } = entry;
    if (isAlias(node)) {
      const target = depths.get(targets.get(node));
      depths.set(node, { depth: target?.depth ?? 0, via: node.range?.[0] ?? 0 });
    } else if (isMap(node) || isSeq(node)) {
      const children: unknown[] = [];
      for (const item of node.items as unknown[]) {
        if (isPair(item)) children.push(item.key, item.value);
        else children.push(item);
      }
      if (!entry.done) {
        stack.push({ node, done: true });
        for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], done: false });
        continue;
      }
      let deepest = { depth: 0, via: -1 };
      for (const child of children) {
        const d = depths.get(child);
        if (d && d.depth > deepest.depth) deepest = d;
      }
      const depth = deepest.depth + 1;
      if (depth > limit) return deepest.via >= 0 ? deepest.via : (node.range?.[0] ?? 0);
      depths.set(node, { depth, via: deepest.via });
    }
  }
  return -1;
}
