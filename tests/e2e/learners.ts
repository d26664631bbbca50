// Helpers for suites that need learners: accounts made through the real sign-up (the e-mail goes
// to the outbox folder), sessions created with the command line.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ROOT, type RunningCarnet } from './harness.ts';

const CARNET = join(ROOT, 'apps/server/bin/carnet.js');

/** The confirmation link of the last e-mail written to the outbox for `to` (waits for it). */
export async function confirmationLink(dataDir: string, to: string): Promise<string> {
  const dir = join(dataDir, 'outbox');
  for (let i = 0; i < 50; i++) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    } catch {
      // not created yet
    }
    for (const file of files.sort().reverse()) {
      const raw = readFileSync(join(dir, file), 'utf8').replace(/=\r?\n/g, '');
      if (raw.toLowerCase().includes(`to: ${to}`)) {
        const match = /(https?:\/\/\S+\/signup\/confirm\/[A-Za-z0-9_-]{43})/.exec(raw);
        if (match) return match[1]!;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No confirmation e-mail for ${to} in ${dir}`);
}

/** Runs the built `carnet` command on the suite's data directory. */
export function carnetCommand(carnet: RunningCarnet, args: string[]): string {
  const result = spawnSync(process.execPath, [CARNET, ...args], {
    env: { ...process.env, CARNET_DATA_DIR: carnet.dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`carnet ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Signs a new learner up through the forms and the e-mailed link; the context is then logged in. */
export async function signUp(
  context: BrowserContext,
  carnet: RunningCarnet,
  learner: { name: string; email: string; password: string },
): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${carnet.url}/signup`);
  await page.getByLabel('Nom affiché').fill(learner.name);
  await page.getByLabel('Adresse e-mail').fill(learner.email);
  await page.getByLabel('Mot de passe').fill(learner.password);
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();
  await page.goto(await confirmationLink(carnet.dataDir, learner.email));
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.waitForURL(/\/me\?welcome=1$/);
  await page.close();
}
