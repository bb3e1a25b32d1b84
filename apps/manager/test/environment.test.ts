import { createServer } from 'node:net';
import { useTestNamespace } from '@org/testkit';
import { EnvironmentError, loadEnvironment } from '../src/config/manager-environment';
import { brokerUrls, redactUrl } from '../src/config/broker-urls';
import { AmqpService } from '../src/messaging/amqp.service';
import { startTestManager } from './support/harness';

function problemsOf(env: Record<string, string>): string {
  try {
    loadEnvironment(env);
  } catch (error) {
    if (error instanceof EnvironmentError) return error.message;
    throw error;
  }
  return '';
}

describe('manager environment: brokers and database', () => {
  it('accepts several comma-separated broker URLs, in order', () => {
    const env = loadEnvironment({ AMQP_URL: 'amqp://u:p@node-a:5672, amqp://u:p@node-b:5672' });
    expect(brokerUrls(env.amqpUrl)).toEqual(['amqp://u:p@node-a:5672', 'amqp://u:p@node-b:5672']);
  });

  it('names every bad broker URL at start, without its password', () => {
    const message = problemsOf({
      AMQP_URL: 'amqp://u:s3cret@node-a,,postgres://u:s3cret@node-c,amqp://u:s3cret@[x',
    });
    expect(message).toMatch(/AMQP_URL: URL 2 of 4 is empty/);
    expect(message).toMatch(
      /AMQP_URL: URL 3 of 4 \("postgres:\/\/u:\*\*\*@node-c"\) must use amqp:/,
    );
    expect(message).toMatch(/AMQP_URL: URL 4 of 4 \("amqp:\/\/u:\*\*\*@\[x"\) is not a URL/);
    expect(message).not.toContain('s3cret');
    expect(redactUrl('amqp://u:s3cret@a:1,amqp://v:t0p@b:2')).toBe(
      'amqp://u:***@a:1,amqp://v:***@b:2',
    );
  });

  it('sends migrations to DATABASE_DIRECT_URL, which follows DATABASE_URL by default', () => {
    const pooled = 'postgres://app@pgbouncer:6432/wm';
    const direct = 'postgres://app@postgres:5432/wm';
    expect(loadEnvironment({ DATABASE_URL: pooled }).databaseDirectUrl).toBe(pooled);
    expect(
      loadEnvironment({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct }).databaseDirectUrl,
    ).toBe(direct);
    // An in-process override of DATABASE_URL carries the default along.
    expect(loadEnvironment({}, { databaseUrl: pooled }).databaseDirectUrl).toBe(pooled);
    expect(problemsOf({ DATABASE_DIRECT_URL: 'mysql://x' })).toMatch(
      /DATABASE_DIRECT_URL: must use postgres: or postgresql:/,
    );
  });

  it('knows the transaction pooler setting, none by default', () => {
    expect(loadEnvironment({}).databasePooler).toBe('none');
    expect(loadEnvironment({ WM_DATABASE_POOLER: 'transaction' }).databasePooler).toBe(
      'transaction',
    );
    expect(problemsOf({ WM_DATABASE_POOLER: 'session' })).toMatch(
      /WM_DATABASE_POOLER: must be none or transaction, got "session"/,
    );
  });

  describe('on the broker', () => {
    const ns = useTestNamespace();

    it('starts on the next broker URL when the first refuses the connection', async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      await new Promise((resolve) => server.close(resolve));
      if (address === null || typeof address === 'string') throw new Error('no port');
      const manager = await startTestManager(ns(), undefined, {
        amqpUrl: `amqp://guest:guest@127.0.0.1:${address.port},${ns().amqpUrl}`,
      });
      expect(manager.app.get(AmqpService).isConnected()).toBe(true);
    });
  });
});
