import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CARNET = join(ROOT, 'apps/server/bin/carnet.js');
/** Screenshots and traces kept as CI artefacts. */
export const RESULTS = join(ROOT, 'test-results/e2e');

export interface RunningCarnet {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the real server the way `npm start` does — the built CLI, a fresh SQLite data directory,
 * the demo course imported — on a free port.
 */
export async function startCarnet(
  options: { env?: Record<string, string>; courses?: { folder: string; slug: string }[] } = {},
): Promise<RunningCarnet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-e2e-'));
  const env = {
    ...process.env,
    CARNET_DATA_DIR: dataDir,
    DATABASE_URL: '',
    CARNET_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const courses = [{ folder: join(ROOT, 'demo-course'), slug: 'demo' }, ...(options.courses ?? [])];
  const imports = courses.map(({ folder, slug }) => ['import', folder, '--slug', slug]);
  for (const args of [['migrate'], ...imports]) {
    const result = spawnSync(process.execPath, [CARNET, ...args], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`carnet ${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
  }
  const server: ChildProcess = spawn(process.execPath, [CARNET, 'serve', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`carnet serve did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`carnet serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dataDir,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, driven by playwright-core (no browser download). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is missing at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Registers beforeAll/afterAll hooks that start Carnet and Chromium for a suite, and returns an
 * object whose fields are set once they are running.
 */
export function useCarnetInBrowser(options: () => Parameters<typeof startCarnet>[0] = () => ({})): {
  carnet: RunningCarnet;
  browser: Browser;
} {
  const running = {} as { carnet: RunningCarnet; browser: Browser };
  beforeAll(async () => {
    running.carnet = await startCarnet(options());
    running.browser = await launchBrowser();
  });
  afterAll(async () => {
    await running.browser?.close();
    await running.carnet?.stop();
  });
  return running;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG 2.1 A and AA violations on the page as it is now (the first three nodes of
 * each). axe is injected as an inline script, which our CSP forbids: the page's context must be
 * created with `bypassCSP: true`.
 */
export async function axeViolations(page: Page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
}
