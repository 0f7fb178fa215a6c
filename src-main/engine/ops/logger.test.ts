import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createLogger, fileSink, formatRecord, isSensitiveName, memorySink, multiSink, Redactor, registerSecret, unregisterSecret, type LogRecord } from './logger';

const SECRET = 'sk_live_9f8e7d6c5b4a';
const SIGNATURE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function setup(options: { now?: () => number } = {}) {
  const sink = memorySink();
  const redactor = new Redactor();
  const logger = createLogger('test/module', sink, { now: options.now ?? (() => 1_723_161_256_322), redactor });
  // everything a sink could persist: the structured record and the formatted line
  const output = () => `${JSON.stringify(sink.records)}\n${sink.text()}`;
  return { sink, redactor, logger, output };
}

describe('logger', () => {
  test('passes module, level, message, fields and the injected timestamp to the sink', () => {
    const { sink, logger } = setup({ now: () => 42 });
    logger.warn('feed is stale', { instrumentId: 'BTC/USDT:USDT', ageMs: 12_000 });
    expect(sink.records).toEqual<LogRecord[]>([
      { level: 'warn', module: 'test/module', message: 'feed is stale', fields: { instrumentId: 'BTC/USDT:USDT', ageMs: 12_000 }, ts: 42 },
    ]);
  });

  test('names a child logger after its parent module', () => {
    const { sink, logger } = setup();
    logger.child('order-manager').info('queued');
    expect(sink.records[0]?.module).toBe('test/module/order-manager');
  });

  test('drops lines below the minimum level', () => {
    const sink = memorySink();
    const logger = createLogger('x', sink, { minLevel: 'warn', redactor: new Redactor() });
    logger.debug('noise');
    logger.info('noise');
    logger.error('kept');
    expect(sink.records.map((r) => r.message)).toEqual(['kept']);
  });

  test('masks fields named like secrets, whatever their case or separator', () => {
    const { logger, output } = setup();
    logger.info('credentials loaded', {
      apiKey: SECRET,
      api_key: SECRET,
      SECRET_KEY: SECRET,
      secret: SECRET,
      signature: SIGNATURE,
      sign: SIGNATURE,
      token: SECRET,
      password: SECRET,
      passphrase: SECRET,
      Authorization: `Bearer ${SECRET}`,
      accountId: 'visible-account',
    });
    expect(output()).not.toContain(SECRET);
    expect(output()).not.toContain(SIGNATURE);
    expect(output()).toContain('visible-account');
  });

  test('masks secrets nested inside objects and arrays', () => {
    const { logger, output, sink } = setup();
    logger.info('request', {
      request: { url: '/api/v1/private/order/submit', headers: { ApiKey: SECRET, 'Request-Time': '1723161256322', Signature: SIGNATURE } },
      attempts: [{ credentials: { apiSecret: SECRET } }, { nested: [{ token: SECRET }] }],
    });
    expect(output()).not.toContain(SECRET);
    expect(output()).not.toContain(SIGNATURE);
    const headers = (sink.records[0]!.fields['request'] as { headers: Record<string, unknown> }).headers;
    expect(headers['Request-Time']).toBe('1723161256322');
  });

  test('masks secrets inside query strings and URLs', () => {
    const { logger, output } = setup();
    logger.warn(`GET https://contract.mexc.com/api/v1/private/account?timestamp=1&signature=${SIGNATURE}&recvWindow=5000 failed`, {
      url: `wss://stream.example/ws?listenKey=abc&token=${SECRET}`,
      body: `symbol=BTC_USDT&api_key=${SECRET}&sign=${SIGNATURE}`,
    });
    const text = output();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SIGNATURE);
    expect(text).toContain('recvWindow=5000');
    expect(text).toContain('symbol=BTC_USDT');
  });

  test('masks Authorization headers and bearer tokens written as text', () => {
    const { logger, output } = setup();
    logger.error(`request headers: Authorization: Bearer ${SECRET}, ApiKey: ${SECRET}`, { dump: `Proxy-Authorization: Basic ${SECRET}` });
    expect(output()).not.toContain(SECRET);
    expect(output()).toContain('Bearer ***');
  });

  test('masks secrets inside JSON text, including JSON stringified twice', () => {
    const { logger, output } = setup();
    const body = JSON.stringify({ symbol: 'BTC_USDT', secret: SECRET, nested: { apiKey: SECRET, passphrase: 12345678 } });
    logger.info(`exchange replied ${body}`, { raw: JSON.stringify({ body }) });
    const text = output();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('12345678');
    expect(text).toContain('BTC_USDT');
  });

  test('masks a registered secret value wherever it appears, even under an innocent name', () => {
    const { logger, output, redactor } = setup();
    redactor.registerSecret(SECRET);
    logger.info(`loaded key ${SECRET} for MEXC`, { note: `prefix-${SECRET}-suffix`, list: [SECRET], [SECRET]: 'as a key' });
    expect(output()).not.toContain(SECRET);
    expect(output()).toContain('loaded key *** for MEXC');
  });

  test('registerSecret masks the value for every logger that uses the default redactor', () => {
    const sink = memorySink();
    const logger = createLogger('default-redactor', sink);
    const value = 'process-wide-secret-value-1';
    registerSecret(value);
    try {
      logger.info(`value is ${value}`);
      expect(sink.text()).not.toContain(value);
    } finally {
      unregisterSecret(value);
    }
  });

  test('refuses to register a secret too short to mask safely', () => {
    expect(new Redactor().registerSecret('ab')).toBe(false);
  });

  test('logs an Error with its message and stack, both redacted', () => {
    const { logger, sink, output } = setup();
    const cause = new Error(`socket closed for token=${SECRET}`);
    const error = new Error(`mexc POST /order?signature=${SIGNATURE} failed`, { cause });
    logger.error('order submission failed', { error });
    const logged = sink.records[0]!.fields['error'] as { name: string; message: string; stack: string; cause: { message: string } };
    expect(logged.name).toBe('Error');
    expect(logged.message).toBe('mexc POST /order?signature=*** failed');
    expect(logged.stack).toContain('logger.test.ts');
    expect(logged.stack).toContain('signature=***');
    expect(logged.cause.message).toBe('socket closed for token=***');
    expect(output()).not.toContain(SECRET);
    expect(output()).not.toContain(SIGNATURE);
  });

  test('keeps the extra properties an exchange error carries, redacted', () => {
    const { logger, output, sink } = setup();
    const error = Object.assign(new Error('AuthenticationError'), { code: 602, headers: { ApiKey: SECRET }, url: `https://x/y?sign=${SIGNATURE}` });
    logger.error('auth failed', { error });
    expect(output()).not.toContain(SECRET);
    expect(output()).not.toContain(SIGNATURE);
    expect((sink.records[0]!.fields['error'] as { code: number }).code).toBe(602);
  });

  test('survives circular fields, bigints and typed arrays', () => {
    const { logger, sink } = setup();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;
    logger.info('odd fields', { loop, big: 10n ** 20n, bytes: new Float64Array(4) });
    expect(sink.records[0]!.fields).toEqual({ loop: { name: 'loop', self: '[Circular]' }, big: '100000000000000000000', bytes: '[Float64Array(32 bytes)]' });
  });

  test('never throws when the sink fails', () => {
    const logger = createLogger('x', { write: () => { throw new Error('disk full'); } }, { redactor: new Redactor() });
    expect(() => logger.error('still fine')).not.toThrow();
  });

  test('a multi sink writes to every sink', () => {
    const a = memorySink();
    const b = memorySink();
    createLogger('x', multiSink(a, b), { redactor: new Redactor() }).info('hello');
    expect([a.records.length, b.records.length]).toEqual([1, 1]);
  });

  test('formats a line with an ISO time, level, module and fields', () => {
    expect(formatRecord({ level: 'info', module: 'store', message: 'migrated', fields: { to: 20 }, ts: 0 })).toBe('1970-01-01T00:00:00.000Z INFO  [store] migrated {"to":20}');
  });

  test('recognises secret names but not look-alikes', () => {
    for (const name of ['apiKey', 'API_KEY', 'X-MBX-APIKEY', 'ApiKey', 'secretKey', 'Signature', 'sign', 'access_token', 'Authorization', 'passphrase']) {
      expect(isSensitiveName(name), name).toBe(true);
    }
    for (const name of ['signal', 'signalId', 'design', 'Request-Time', 'instrumentId', 'key']) {
      expect(isSensitiveName(name), name).toBe(false);
    }
  });

  test('a file sink appends redacted lines and flushes them on close', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-log-'));
    try {
      const file = path.join(dir, 'logs', 'engine.log');
      const sink = fileSink(file);
      const logger = createLogger('ops', sink, { now: () => 0, redactor: new Redactor() });
      logger.info('started', { apiKey: SECRET });
      logger.debug('detail');
      await sink.close();
      expect(readFileSync(file, 'utf8')).toBe('1970-01-01T00:00:00.000Z INFO  [ops] started {"apiKey":"***"}\n1970-01-01T00:00:00.000Z DEBUG [ops] detail\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
