import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a course of `count` notebooks made from the demo course's MyST notebooks (cycled, with
 * their week/sequence renumbered and a distinct paragraph each, so every file is different), plus
 * the demo's data, media and modules. 10 weeks, the size of the real MOOC's biggest sessions.
 */
export function generateCourse(root: string, demo: string, count: number): { notebooks: number; bytes: number } {
  const sources = readdirSync(demo)
    .filter((d) => /^w\d+$/.test(d))
    .flatMap((week) =>
      readdirSync(join(demo, week))
        .filter((f) => f.endsWith('.md') && /-[cx]\d/.test(f))
        .map((f) => readFileSync(join(demo, week, f), 'utf8')),
    );
  for (const shared of ['data', 'media', 'modules'])
    cpSync(join(demo, shared), join(root, shared), { recursive: true });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const week = 1 + (i % 10);
    const sequence = 1 + Math.floor(i / 10);
    const kind = i % 4 === 3 ? 'x' : 'c';
    mkdirSync(join(root, `w${week}`), { recursive: true });
    const text = sources[i % sources.length]!.replace(
      /\n# (.+)\n/,
      `\n# $1 (${i + 1})\n\nCe notebook généré porte le numéro ${i + 1}.\n`,
    );
    writeFileSync(join(root, `w${week}`, `w${week}-s${sequence}-${kind}1-genere-${i + 1}.md`), text);
    bytes += Buffer.byteLength(text);
  }
  return { notebooks: count, bytes };
}
