import { describe, expect, it } from 'vitest';
import { lineStartStates, translateCell } from './magics.ts';

describe('translateCell', () => {
  it('leaves plain Python untouched', () => {
    const code = 'x = 10 % 3\nif x != 1:\n    print("!?")\nd = {"a": 1}\n';
    expect(translateCell(code)).toBe(code);
  });

  it('turns line magics into calls, keeping indentation and line numbers', () => {
    expect(translateCell('%matplotlib inline\nx = 1')).toBe('__carnet__.line_magic("matplotlib", "inline")\nx = 1');
    expect(translateCell('for i in range(2):\n    %timeit -n 10 sum(range(100))')).toBe(
      'for i in range(2):\n    __carnet__.line_magic("timeit", "-n 10 sum(range(100))")',
    );
    expect(translateCell('%autoreload')).toBe('__carnet__.line_magic("autoreload", "")');
    expect(translateCell('t = %timeit -o x')).toBe('t = __carnet__.line_magic("timeit", "-o x")');
  });

  it('turns shell escapes into calls, with capture', () => {
    expect(translateCell('!cat data/notes.txt')).toBe('__carnet__.shell("cat data/notes.txt")');
    expect(translateCell('files = !ls data')).toBe('files = __carnet__.shell("ls data", capture=True)');
    expect(translateCell('!echo "a \\"b\\""')).toBe('__carnet__.shell("echo \\"a \\\\\\"b\\\\\\"\\"")');
  });

  it('turns help queries into calls', () => {
    expect(translateCell('len?')).toBe('__carnet__.help("len", 1)');
    expect(translateCell('str.split??')).toBe('__carnet__.help("str.split", 2)');
    expect(translateCell('?print')).toBe('__carnet__.help("print", 1)');
    expect(translateCell('  obj.method()?')).toBe('  __carnet__.help("obj.method", 1)');
  });

  it('passes a whole cell magic its body as a string and keeps the line count', () => {
    const out = translateCell('%%timeit -n 5 -r 2\nx = [i for i in range(10)]\ny = 2');
    expect(out.split('\n')).toHaveLength(3);
    expect(out.split('\n')[0]).toBe(
      '__carnet__.cell_magic("timeit", "-n 5 -r 2", "x = [i for i in range(10)]\\ny = 2")',
    );
    expect(translateCell('%%ipythontutor\nprint(1)').split('\n')[0]).toBe(
      '__carnet__.cell_magic("ipythontutor", "", "print(1)")',
    );
  });

  it('never rewrites inside triple-quoted strings, brackets or continuations', () => {
    const code = 'text = """\n!not a shell\n%not a magic\nwhat?\n"""\n!ls';
    expect(translateCell(code)).toBe('text = """\n!not a shell\n%not a magic\nwhat?\n"""\n__carnet__.shell("ls")');
    const bracket = 'x = (1,\n%2)\n';
    expect(translateCell(bracket)).toBe(bracket);
    const continuation = 'y = 1 \\\n% 2';
    expect(translateCell(continuation)).toBe(continuation);
  });

  it('is not fooled by quotes in comments or escaped quotes', () => {
    const code = "# it's a comment\ns = 'l\\'x'\n!ls";
    expect(translateCell(code).split('\n')[2]).toBe('__carnet__.shell("ls")');
  });
});

describe('lineStartStates', () => {
  it('tracks strings and brackets across lines', () => {
    expect(lineStartStates("a = '''\nb\n'''\nc = [\n1]\nd")).toEqual([
      'code',
      'string',
      'string',
      'code',
      'bracket',
      'code',
    ]);
  });
});
