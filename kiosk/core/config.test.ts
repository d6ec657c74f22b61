import { describe, expect, it } from 'vitest';
import { ConfigError, loadKioskConfig } from './config.ts';

describe('kiosk configuration', () => {
  it('has working defaults', () => {
    const c = loadKioskConfig({});
    expect(c.syncUrl).toBe('http://127.0.0.1:7390');
    expect(c.hostAddress).toBe('127.0.0.1');
    expect(c.ocrWorkers).toBe(1);
    expect(c.dataKey).toEqual({ kind: 'file', path: null });
  });

  it('names where the data key comes from', () => {
    expect(loadKioskConfig({ FAC_DATA_KEY: 'file:/etc/fac/data.key' }).dataKey).toEqual({ kind: 'file', path: '/etc/fac/data.key' });
    expect(loadKioskConfig({ FAC_DATA_KEY: 'systemd-credential' }).dataKey).toEqual({ kind: 'systemd-credential', name: 'fac-data-key' });
    expect(loadKioskConfig({ FAC_DATA_KEY: 'systemd-credential:kiosk-key' }).dataKey).toEqual({ kind: 'systemd-credential', name: 'kiosk-key' });
    for (const bad of ['file:relative/key', 'tpm', 'systemd-credential:../x']) expect(() => loadKioskConfig({ FAC_DATA_KEY: bad })).toThrow(/FAC_DATA_KEY/);
  });

  it('reads and normalises values', () => {
    const c = loadKioskConfig({ FAC_SYNC_URL: 'http://10.0.0.5:8080/', FAC_HOST_PORT: '0', FAC_OCR_WORKERS: '2', FAC_READER: '' });
    expect(c.syncUrl).toBe('http://10.0.0.5:8080');
    expect(c.hostPort).toBe(0);
    expect(c.ocrWorkers).toBe(2);
  });

  it('lists every problem of a bad configuration at once', () => {
    let err: unknown;
    try {
      loadKioskConfig({ FAC_SYNC_URL: 'not a url', FAC_HOST_PORT: '99999', FAC_KIOSK_TOKEN: 'short', FAC_HOST_ADDRESS: '0.0.0.0', FAC_KIOSK_ID: 'Bad Id' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const key of ['FAC_SYNC_URL', 'FAC_HOST_PORT', 'FAC_KIOSK_TOKEN', 'FAC_HOST_ADDRESS', 'FAC_KIOSK_ID']) expect(problems).toContain(key);
    // never echo the token's value
    expect((err as Error).message).not.toContain('short');
  });
});
