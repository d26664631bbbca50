import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '../src/config.ts';
import { REPO_ROOT } from './fixtures.ts';

/**
 * The deployment files (issue 16) checked without a network: their syntax, and that every
 * command and setting they use is one Carnet has. No image can be built here (no registry), so
 * what is checked is what can be: a file that names a setting Carnet does not read, or a
 * command it does not have, fails here instead of at 3 a.m.
 */
const DEPLOY = join(REPO_ROOT, 'deploy');
const read = (name: string): string => readFileSync(join(DEPLOY, name), 'utf8');
const KNOWN_ENV = new Set([...Object.values(SETTINGS).map((s) => s.env), 'NODE_ENV']);
const COMMANDS = new Set(['serve', 'worker', 'migrate', 'import', 'user', 'run', 'validate']);

/** The `carnet` commands the CLI really has, from its own help. */
function cliCommands(): Set<string> {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'apps/server/bin/carnet.js'), '--help'], {
    encoding: 'utf8',
  });
  return new Set([...result.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!));
}

describe('deployment files', () => {
  it('uses only commands the carnet CLI has', () => {
    const real = cliCommands();
    for (const command of ['serve', 'worker', 'migrate', 'import']) expect(real, command).toContain(command);
    for (const command of COMMANDS) if (!real.has(command)) COMMANDS.delete(command);
    expect(COMMANDS.size).toBeGreaterThanOrEqual(4);
  });

  it('compose: PostgreSQL, two web servers without jobs, two workers, a proxy; valid YAML; known settings only', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as {
      services: Record<
        string,
        {
          command?: string[];
          environment?: Record<string, string>;
          deploy?: { replicas?: number };
          image?: string;
          healthcheck?: unknown;
          security_opt?: string[];
        }
      >;
    };
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(['migrate', 'postgres', 'proxy', 'web', 'worker']);
    expect(services['postgres']!.image).toMatch(/^postgres:/);
    expect(services['web']!.command).toEqual(['serve']);
    expect(services['web']!.deploy?.replicas).toBe(2);
    expect(services['web']!.environment!['CARNET_RUN_JOBS']).toBe('false');
    expect(services['worker']!.command).toEqual(['worker']);
    expect(services['worker']!.deploy?.replicas).toBe(2);
    expect(services['migrate']!.command).toEqual(['migrate']);
    for (const name of ['web', 'worker', 'migrate']) {
      const service = services[name]!;
      expect(COMMANDS).toContain(service.command![0]);
      for (const key of Object.keys(service.environment ?? {})) expect(KNOWN_ENV, `${name}: ${key}`).toContain(key);
      expect(service.environment!['DATABASE_URL']).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      // The sandbox needs user namespaces inside the container.
      expect(service.security_opt).toContain('seccomp=unconfined');
    }
    expect(services['web']!.healthcheck).toBeDefined();
    expect(JSON.stringify(services['web']!.healthcheck)).toContain('/readyz');
    expect(JSON.stringify(services['worker']!.healthcheck)).toContain('/readyz');
    expect(read('Caddyfile')).toMatch(/reverse_proxy web:3000[\s\S]*health_uri \/readyz/);
  });

  it('image: the packages grading needs, the built CLI as entry point, a non-root user, known settings', () => {
    const file = read('Containerfile');
    for (const pkg of ['bubblewrap', 'python3', 'python3-numpy', 'python3-pandas', 'python3-matplotlib', 'git']) {
      expect(file, pkg).toMatch(new RegExp(`install[^\\n]*(\\\\\\n[^\\n]*)*\\s${pkg}(\\s|$)`, 'm'));
    }
    expect(file).toMatch(/^USER carnet$/m);
    expect(file).toContain('"/opt/carnet/apps/server/bin/carnet.js"');
    expect(file).toMatch(/^CMD \["serve"\]$/m);
    // The build runs the repository's own scripts and copies every workspace's manifest.
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(file).toContain('npm run build');
    expect(scripts['build']).toBeDefined();
    for (const workspace of ['apps/server', 'apps/client', 'packages/course-format', 'packages/render']) {
      expect(file).toContain(`COPY ${workspace}/package.json ${workspace}/`);
      expect(existsSync(join(REPO_ROOT, workspace, 'package.json'))).toBe(true);
    }
    const env = [...file.matchAll(/^\s+(?:ENV )?([A-Z_]+)=/gm)].map((m) => m[1]!);
    expect(env.length).toBeGreaterThan(3);
    for (const key of env) expect(KNOWN_ENV, key).toContain(key);
  });

  it('systemd units: web and worker run real commands with known settings; systemd-analyze finds nothing wrong', () => {
    const units = readdirSync(join(DEPLOY, 'systemd')).filter((f) => f.endsWith('.service'));
    expect(units.sort()).toEqual(['carnet-web@.service', 'carnet-worker@.service']);
    for (const unit of units) {
      const text = read(`systemd/${unit}`);
      const exec = /^ExecStart=\/usr\/bin\/node \/opt\/carnet\/apps\/server\/bin\/carnet\.js (\w+)$/m.exec(text);
      expect(exec, unit).not.toBeNull();
      expect(COMMANDS).toContain(exec![1]);
      for (const [, key] of text.matchAll(/^Environment=([A-Z_]+)=/gm))
        expect(KNOWN_ENV, `${unit}: ${key}`).toContain(key);
      expect(text).toMatch(/^KillSignal=SIGTERM$/m);
    }
    const example = read('systemd/carnet.env.example');
    for (const [, key] of example.matchAll(/^([A-Z_]+)=/gm)) expect(KNOWN_ENV, key).toContain(key);

    // systemd's own checker, on a copy whose paths exist on this machine.
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.status !== 0) return; // not installed: the parsing above still ran
    const dir = mkdtempSync(join(tmpdir(), 'carnet-units-'));
    writeFileSync(join(dir, 'carnet.env'), example);
    for (const unit of units) {
      const text = read(`systemd/${unit}`)
        .replaceAll('/etc/carnet/carnet.env', join(dir, 'carnet.env'))
        .replaceAll('/usr/bin/node', process.execPath)
        .replace(/^User=.*$/m, 'User=root')
        .replace(/^Group=.*$/m, 'Group=root');
      writeFileSync(join(dir, unit.replace('@', '@1')), text);
    }
    const verify = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(dir, u.replace('@', '@1')))], {
      encoding: 'utf8',
    });
    const problems = `${verify.stdout}${verify.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '')
      // A container has no running systemd: those complaints are about the machine, not the units.
      .filter(
        (line) =>
          !/Failed to (connect|initialize|create|prepare)|System has not been booted|not a directory|Unit .*\.target not found|Operation not permitted/i.test(
            line,
          ),
      );
    expect(problems).toEqual([]);
  });

  it('runbook: backups, upgrades, scaling and what to watch, with metrics that exist', () => {
    const runbook = read('RUNBOOK.md');
    for (const heading of ['## Backups', '## Upgrades', '## Scaling up and down', '## What to watch']) {
      expect(runbook).toContain(heading);
    }
    expect(runbook).toContain('pg_dump');
    expect(runbook).toContain('.backup');
    const metrics = readFileSync(join(REPO_ROOT, 'apps/server/src/lib/observability/metrics.ts'), 'utf8');
    for (const [, name] of runbook.matchAll(/\b(carnet_[a-z_]+?)(?:_bucket)?\b/g)) {
      const base = name!.replace(/_(bucket|count|sum)$/, '');
      expect(metrics.includes(`'${base}'`) || base.startsWith('carnet_nodejs_'), base).toBe(true);
    }
  });
});
