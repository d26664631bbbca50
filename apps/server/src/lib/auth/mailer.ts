import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

/** A plain-text e-mail, with an HTML alternative and extra headers if need be (List-Unsubscribe). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Built with the escaping templates: never user text as it is. */
  html?: string;
  headers?: Record<string, string>;
}

/**
 * Sends e-mail. Routes do not wait for delivery (a slow mail server must not tell, by timing,
 * whether an address has an account): `send` queues and logs failures; `idle()` waits for the queue.
 */
export interface Mailer {
  send(message: MailMessage): void;
  /** Delivers one message and resolves once the mail server (or the outbox) has it; throws if not. For jobs. */
  sendNow(message: MailMessage): Promise<void>;
  idle(): Promise<void>;
  /** For the logs: "smtp://host:port" or "outbox DIR". */
  readonly description: string;
}

/** The SMTP mailer when a URL is configured, else the outbox in the data directory. */
export function createMailer(
  options: { smtpUrl?: string | undefined; from: string; dataDir: string },
  log: FastifyBaseLogger,
): Mailer {
  return options.smtpUrl
    ? new SmtpMailer(options.smtpUrl, options.from, log)
    : new OutboxMailer(join(options.dataDir, 'outbox'), options.from, log);
}

/**
 * Whether an account's address can receive mail: a pseudonymous pupil's account holds its login
 * identifier there, which has no '@' (ADR 048). Mail to it is dropped, whatever sent it.
 */
export function hasMailbox(address: string): boolean {
  return address.includes('@');
}

abstract class QueuedMailer implements Mailer {
  private readonly pending = new Set<Promise<void>>();
  abstract readonly description: string;

  constructor(protected readonly log: FastifyBaseLogger) {}

  protected abstract deliver(message: MailMessage): Promise<void>;

  send(message: MailMessage): void {
    if (!hasMailbox(message.to)) return;
    const delivery = this.deliver(message)
      .catch((error: unknown) =>
        this.log.error({ err: error, to: message.to, subject: message.subject }, 'e-mail not sent'),
      )
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  sendNow(message: MailMessage): Promise<void> {
    return hasMailbox(message.to) ? this.deliver(message) : Promise.resolve();
  }
}

/** Real delivery through an SMTP server. */
class SmtpMailer extends QueuedMailer {
  private readonly transport: Transporter;
  readonly description: string;

  constructor(
    url: string,
    private readonly from: string,
    log: FastifyBaseLogger,
  ) {
    super(log);
    this.transport = nodemailer.createTransport(url);
    const u = new URL(url);
    this.description = `${u.protocol}//${u.host}`;
  }

  protected async deliver(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, ...message });
    this.log.info({ to: message.to, subject: message.subject }, 'e-mail sent');
  }
}

/**
 * Development and tests: each message is written as an .eml file (open it with any mail client)
 * in the outbox folder, and logged with its text, so the links in it can be followed.
 */
class OutboxMailer extends QueuedMailer {
  private readonly compose = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  private counter = 0;
  readonly description: string;

  constructor(
    private readonly dir: string,
    private readonly from: string,
    log: FastifyBaseLogger,
  ) {
    super(log);
    this.description = `outbox ${dir}`;
  }

  protected async deliver(message: MailMessage): Promise<void> {
    const info = await this.compose.sendMail({ from: this.from, ...message });
    await mkdir(this.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(this.dir, `${stamp}-${process.pid}-${(this.counter++).toString().padStart(4, '0')}.eml`);
    await writeFile(file, info.message as Buffer);
    this.log.info(
      { to: message.to, subject: message.subject, file, text: message.text },
      'e-mail written to the outbox',
    );
  }
}
