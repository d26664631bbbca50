import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has defaults that serve the demo on a laptop', () => {
    const config = loadConfig({}, {}, '/home/teacher/carnet');
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/home/teacher/carnet/var',
      logLevel: 'info',
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads the environment, and flags win over it', () => {
    const env = { PORT: '8080', CARNET_DATA_DIR: '/srv/carnet', DATABASE_URL: 'postgres://carnet@db/carnet' };
    expect(loadConfig(env, {})).toMatchObject({
      port: 8080,
      dataDir: '/srv/carnet',
      databaseUrl: 'postgres://carnet@db/carnet',
    });
    expect(loadConfig(env, { port: '9090' }).port).toBe(9090);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });

  it('names every wrong setting by its variable and its flag, with the value given', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', CARNET_LOG_LEVEL: 'loud', CARNET_TRUST_PROXY: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT / --port: expected a port number (got "abc")');
    expect(message).toContain('DATABASE_URL / --database-url: expected a URL like postgres://');
    expect(message).toContain(
      'CARNET_LOG_LEVEL / --log-level: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
    expect(message).toContain('CARNET_TRUST_PROXY / --trust-proxy: expected true or false');
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({}, { port: '70000' })).toThrow(/--port: expected a port between 0 and 65535/);
  });

  it('refuses to send e-mail without a public URL (links must not come from a Host header)', () => {
    expect(() => loadConfig({ CARNET_SMTP_URL: 'smtp://mail.example.org:587' })).toThrow(
      /CARNET_SMTP_URL \/ --smtp-url: sending e-mail needs CARNET_BASE_URL too/,
    );
    const config = loadConfig({
      CARNET_SMTP_URL: 'smtp://mail.example.org:587',
      CARNET_BASE_URL: 'https://carnet.example.org',
    });
    expect(config.smtpUrl).toBe('smtp://mail.example.org:587');
  });

  it('checks session lifetimes and the time zone', () => {
    expect(loadConfig({}).sessionIdleHours).toBe(168);
    expect(() => loadConfig({ CARNET_TIMEZONE: 'Mars/Olympus' })).toThrow(
      /CARNET_TIMEZONE \/ --timezone: expected an IANA time zone/,
    );
    expect(() => loadConfig({ CARNET_SESSION_MAX_DAYS: '0' })).toThrow(/CARNET_SESSION_MAX_DAYS/);
  });
});
