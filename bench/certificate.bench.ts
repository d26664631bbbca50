/**
 * The certificate PDF (ADR 036): time to draw one and its size, with names of several alphabets,
 * in this process (no HTTP, no database: what the PDF route adds to a request).
 *
 * Baseline, same run: the writer it replaced (ADR 031: Helvetica in WinAnsi, no font embedded,
 * which printed these names approximately), read from git at the commit before the change, so that
 * the old code is not kept in the tree for the benchmark. Without git, only the new figures.
 *
 *   npx tsx bench/certificate.bench.ts [--count 300] [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { certificatePdf, type CertificatePdfText } from '../apps/server/src/lib/certificates/pdf.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '300' }, rounds: { type: 'string', default: '5' } },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
/** The last commit with the WinAnsi writer (lib/certificates/pdf.ts and fonts.ts of ADR 031). */
const OLD_WRITER = 'da16c42';

const NAMES = [
  'Nguyễn Thị Ngọc Ánh',
  'Ɔbɛnɛ Kwaku Ŋkansa',
  'Françoise Lévesque-Bérubé',
  'Ọlábísí Adébáyọ̀'.normalize('NFC'),
  'Kɔ́fí Tɔ́gbɛ̌'.normalize('NFC'),
  'Camille Martin',
];

function text(i: number): CertificatePdfText {
  const code = `7QK2-M9XD-4TB8-${String(i % 10_000).padStart(4, '0')}`;
  return {
    title: 'Certificat de réussite — Python : des fondamentaux aux concepts avancés',
    lang: 'fr',
    site: 'Carnet',
    heading: 'Certificat de réussite',
    awardedTo: 'décerné à',
    name: NAMES[i % NAMES.length]!,
    forCourse: 'pour avoir réussi le cours',
    course: 'Python 3 : des fondamentaux aux concepts avancés du langage',
    session: 'Session de printemps 2026',
    grade: 'Note : 87 %',
    issued: 'Délivré le 3 mars 2026',
    verifyLabel: 'Vérifier sur',
    verifyUrl: `https://carnet.example.org/certificates/${code}`,
    code: `Code : ${code}`,
  };
}

type Writer = (t: CertificatePdfText, created: Date) => Buffer | Promise<Buffer>;

/** The old writer's module, written out of git into a temporary folder, or null without git. */
async function oldWriter(dir: string): Promise<Writer | null> {
  try {
    for (const file of ['pdf.ts', 'fonts.ts']) {
      const source = execFileSync('git', ['show', `${OLD_WRITER}:apps/server/src/lib/certificates/${file}`], {
        cwd: import.meta.dirname,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      writeFileSync(join(dir, file), source);
    }
  } catch {
    return null;
  }
  const module = (await import(join(dir, 'pdf.ts'))) as { certificatePdf: Writer };
  return module.certificatePdf;
}

/** Milliseconds per certificate over `COUNT` certificates, and their mean size in bytes. */
async function round(writer: Writer): Promise<{ ms: number; bytes: number }> {
  const created = new Date('2026-03-03T10:00:00Z');
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) bytes += (await writer(text(i), created)).length;
  return { ms: (performance.now() - started) / COUNT, bytes: bytes / COUNT };
}

const dir = mkdtempSync(join(tmpdir(), 'carnet-bench-pdf-'));
try {
  // The first certificate of a process parses the two fonts (1.4 MB of TrueType).
  const coldStart = performance.now();
  await certificatePdf(text(0), new Date());
  const cold = performance.now() - coldStart;
  const old = await oldWriter(dir);
  if (old) await round(old); // warm-up, as the new writer had its first certificate
  const fresh: { ms: number; bytes: number }[] = [];
  const before: { ms: number; bytes: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    fresh.push(await round(certificatePdf));
    if (old) before.push(await round(old));
  }
  const ms = median(fresh.map((f) => f.ms));
  const bytes = median(fresh.map((f) => f.bytes));
  console.log(`first certificate of the process (fonts parsed): ${cold.toFixed(0)} ms`);
  console.log(`pdfkit + DejaVu subsets: ${ms.toFixed(2)} ms and ${Math.round(bytes)} bytes a certificate`);
  const results: Record<string, number> = { coldMs: cold, ms, bytes };
  if (old) {
    const oldMs = median(before.map((f) => f.ms));
    const oldBytes = median(before.map((f) => f.bytes));
    console.log(`WinAnsi writer (${OLD_WRITER}): ${oldMs.toFixed(3)} ms and ${Math.round(oldBytes)} bytes`);
    console.log(`ratio: ${(ms / oldMs).toFixed(0)}× the time, ${(bytes / oldBytes).toFixed(1)}× the size`);
    Object.assign(results, { oldMs, oldBytes, timeRatio: ms / oldMs, sizeRatio: bytes / oldBytes });
  } else {
    console.log(`(no git history here: the WinAnsi writer of ${OLD_WRITER} is not measured)`);
  }
  record('certificate', results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
