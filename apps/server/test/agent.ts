import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../src/db/database.ts';
import { hashPassword } from '../src/lib/auth/passwords.ts';
import { insertUser } from '../src/models/users.ts';

/**
 * A browser stand-in for `app.inject`: keeps cookies between requests (as a browser would, by
 * name; Max-Age=0 deletes), and comes from its own IP address so throttling counters stay apart.
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    readonly ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
  ) {}

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0
      ? {}
      : { cookie: [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ') };
  }

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    const header = res.headers['set-cookie'];
    for (const line of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      if (attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.app.inject({
        method: 'GET',
        url,
        remoteAddress: this.ip,
        headers: { ...this.cookieHeader(), ...headers },
      }),
    );
  }

  /**
   * Posts a form as a browser would; `_csrf` is taken from `tokenFrom` (a page with a form) unless
   * given. Pairs repeat a name, as a checkbox group does.
   */
  async post(
    url: string,
    fields: Record<string, string> | [string, string][],
    options: { tokenFrom?: string; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
    if (!body.has('_csrf')) body.append('_csrf', await this.csrf(options.tokenFrom ?? '/login'));
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.ip,
        headers: {
          ...this.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
          ...options.headers,
        },
        payload: body.toString(),
      }),
    );
  }

  /**
   * A JSON request as a page's script sends it (same origin); `csrf: true` adds the session's
   * token as the X-CSRF-Token header (read from /api/session).
   */
  async json(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
    options: { csrf?: boolean | string; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...this.cookieHeader(), 'sec-fetch-site': 'same-origin' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.csrf === true) headers['x-csrf-token'] = (await this.session()).csrf ?? '';
    else if (typeof options.csrf === 'string') headers['x-csrf-token'] = options.csrf;
    return this.keep(
      await this.app.inject({
        method,
        url,
        remoteAddress: this.ip,
        headers: { ...headers, ...options.headers },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      }),
    );
  }

  /** `GET /api/session`. */
  async session(): Promise<{ user: { id: number; name: string } | null; csrf: string | null }> {
    return (await this.get('/api/session')).json();
  }

  /** The CSRF token of a page's forms. */
  async csrf(url: string): Promise<string> {
    const page = await this.get(url);
    const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!match) throw new Error(`No CSRF field on ${url} (HTTP ${page.statusCode})`);
    return match[1]!;
  }

  /** Logs in through the form; returns the response (303 on success). */
  login(email: string, password: string): Promise<LightMyRequestResponse> {
    return this.post('/login', { email, password });
  }
}

/** Creates an account directly (as `carnet user create` does). */
export async function createUser(
  db: Db,
  email: string,
  options: { password?: string; name?: string; admin?: boolean } = {},
): Promise<{ id: number; email: string; password: string }> {
  const password = options.password ?? 'correct horse battery';
  const user = await insertUser(
    db.kysely,
    {
      email,
      displayName: options.name ?? email.split('@')[0]!,
      passwordHash: await hashPassword(password),
      isAdmin: options.admin,
    },
    new Date(),
  );
  if (!user) throw new Error(`${email} already exists`);
  return { id: user.id, email, password };
}

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  text: string;
}

/** The messages of an outbox folder, oldest first, with their text decoded. */
export function readOutbox(dataDir: string): OutboxMessage[] {
  const dir = join(dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
  return files.map((file) => {
    const raw = readFileSync(join(dir, file), 'utf8');
    const split = raw.indexOf('\n\n');
    const head = raw.slice(0, split).replace(/\n[ \t]+/g, ' ');
    let body = raw.slice(split + 2);
    const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1] ?? '';
    if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
      body = Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    } else if (/base64/i.test(header('Content-Transfer-Encoding'))) {
      body = Buffer.from(body, 'base64').toString('utf8');
    }
    return { file, to: header('To'), subject: header('Subject'), text: body };
  });
}

/** The first link of a message whose path starts with `prefix`. */
export function linkIn(message: OutboxMessage, prefix: string): string {
  const match = new RegExp(`https?://[^\\s/]+(${prefix.replace(/\//g, '\\/')}[A-Za-z0-9_-]+)`).exec(message.text);
  if (!match) throw new Error(`No ${prefix} link in:\n${message.text}`);
  return match[1]!;
}
