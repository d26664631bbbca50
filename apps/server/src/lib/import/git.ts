import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';

const exec = promisify(execFile);

/** Whether an import source is a git URL rather than a folder. */
export function isGitUrl(source: string): boolean {
  return /^(https?|git|ssh|file):\/\//i.test(source) || /^[\w.-]+@[\w.-]+:/.test(source);
}

/**
 * Clones a repository into the data directory, or fetches it if already there, and checks out
 * the fetched commit (the default branch, or `#ref` at the end of the URL). Returns the checkout
 * folder and the commit. Only plain transports are allowed: never `ext::` commands.
 */
export async function checkoutGitSource(
  url: string,
  dataDir: string,
): Promise<{ folder: string; commit: string; name: string }> {
  const [repo, ref] = url.split('#', 2) as [string, string | undefined];
  const folder = join(dataDir, 'git', createHash('sha256').update(repo).digest('hex').slice(0, 16));
  const env = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const git = async (args: string[], cwd?: string): Promise<string> => {
    try {
      const { stdout } = await exec('git', args, { cwd, env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
      return stdout.trim();
    } catch (error) {
      const e = error as { stderr?: string; message: string; code?: string };
      if (e.code === 'ENOENT')
        throw new Error('git is not installed: install it (apt-get install git) to import from a repository.');
      throw new Error(
        `git ${args[0]} failed for ${repo}: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`,
      );
    }
  };
  if (!existsSync(join(folder, '.git'))) {
    await mkdir(folder, { recursive: true });
    await git(['init', '--quiet', folder]);
    await git(['remote', 'add', 'origin', repo], folder);
  } else {
    await git(['remote', 'set-url', 'origin', repo], folder);
  }
  await git(['fetch', '--quiet', '--depth', '1', 'origin', ref ?? 'HEAD'], folder);
  await git(['checkout', '--quiet', '--force', '--detach', 'FETCH_HEAD'], folder);
  await git(['clean', '--quiet', '-fdx'], folder);
  const commit = await git(['rev-parse', 'HEAD'], folder);
  const name = repo
    .replace(/\/+$/, '')
    .split(/[/:]/)
    .pop()!
    .replace(/\.git$/, '');
  return { folder, commit, name };
}
