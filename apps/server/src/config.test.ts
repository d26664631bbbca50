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
});
