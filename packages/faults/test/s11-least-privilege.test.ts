import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { buildEvent, buildRequest } from '@org/protocol';
import {
  ExecutionLog,
  finishScenario,
  ManagerProcess,
  rabbitmqctl,
  Requester,
  ScenarioRun,
  withNamespace,
  WorkerProcess,
} from '../src/index';

const CONFIG =
  'workers:\n  - type: mover\n    contentTypes: [mover/in]\n  - type: secret\n    contentTypes: [secret/in]\n';

/** True when the broker refuses `action` with ACCESS_REFUSED (403). */
async function refused(
  connection: ChannelModel,
  action: (channel: ConfirmChannel) => Promise<unknown>,
): Promise<boolean> {
  const channel = await connection.createConfirmChannel();
  // The broker's reason arrives on the channel's 'error' event; the pending call then rejects
  // with a plainer "channel closed", so every message is kept.
  const errors: string[] = [];
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  channel.on('error', (cause: Error) => errors.push(cause.message));
  try {
    await action(channel);
  } catch (cause) {
    errors.push((cause as Error).message);
  }
  if (errors.length === 0) await channel.close().catch(() => undefined);
  else await closed;
  return errors.some((message) => /ACCESS_REFUSED|403/.test(message));
}

describe('scenario 11: least-privilege broker user for a worker of one type', () => {
  it('can consume only its queue and publish only responses, heartbeats and requests', async () => {
    const run = new ScenarioRun({
      id: 11,
      title: 'least-privilege worker user',
      fault:
        'a broker user with the permissions apps/manager/README.md documents for a worker of type "mover"',
      load: '1 request served by an SDK worker logged in as that user; 7 forbidden actions tried',
    });
    const result = await withNamespace('f11', async (ns) => {
      await ManagerProcess.start(ns, { configYaml: CONFIG });
      const user = `faults-${ns.name}`;
      const password = randomBytes(12).toString('hex');
      const n = ns.name.replace(/[-]/g, '\\-');
      await rabbitmqctl('add_user', user, password);
      try {
        await rabbitmqctl(
          'set_permissions',
          '-p',
          '/',
          user,
          `^${n}\\.control\\..+$`,
          `^${n}\\.(responses|workers|requests)$|^${n}\\.control\\..+$`,
          `^${n}\\.worker\\.mover$|^${n}\\.control(\\..+)?$`,
        );
        const userUrl = new URL(ns.amqpUrl);
        userUrl.username = user;
        userUrl.password = password;
        const executions = new ExecutionLog(ns.dir);
        // Allowed: check the topology, bind its control queue, consume its queue, heartbeat, answer.
        await WorkerProcess.start(ns, {
          type: 'mover',
          checkOnly: true,
          amqpUrl: userUrl.toString(),
          log: executions.fileFor('mover'),
        });
        const requester = await Requester.start(ns);
        await requester.publish({
          requestId: 'allowed-job',
          contentType: 'mover/in',
          body: Buffer.from('x'),
        });
        const connection = await connect(userUrl.toString());
        ns.defer(() => connection.close().catch(() => undefined));
        // Allowed: submit a follow-up request.
        const submit = buildRequest(ns.names, {
          requestId: 'follow-up',
          contentType: 'mover/in',
          body: Buffer.from('y'),
        });
        const submitted = !(await refused(connection, async (channel) => {
          channel.publish(submit.exchange, submit.routingKey, submit.content, submit.options);
          await channel.waitForConfirms();
        }));
        run.expect(submitted, 'the worker user could not submit a request');
        const event = buildEvent(ns.names, {
          requestId: 'fake',
          state: 'SUCCESS',
          contentType: 'mover/in',
          requestContentType: 'mover/in',
        });
        const forbidden: Record<string, (channel: ConfirmChannel) => Promise<unknown>> = {
          "consume another type's queue": (c) =>
            c.consume(ns.names.workerQueue('secret'), () => undefined),
          "consume the manager's intake queue": (c) =>
            c.consume(ns.names.queues.managerRequests, () => undefined),
          'publish an event to requesters': async (c) => {
            c.publish(event.exchange, event.routingKey, event.content, event.options);
            await c.waitForConfirms();
          },
          'publish a job': async (c) => {
            c.publish(ns.names.exchanges.jobs, 'secret', Buffer.from('x'), { persistent: true });
            await c.waitForConfirms();
          },
          'declare a queue of its own choosing': (c) =>
            c.assertQueue(`${ns.name}.evil`, { durable: true }),
          'delete its work queue': (c) => c.deleteQueue(ns.names.workerQueue('mover')),
          'purge the dead-letter queue': (c) => c.purgeQueue(ns.names.queues.managerDead),
        };
        for (const [what, action] of Object.entries(forbidden)) {
          const denied = await refused(connection, action);
          run.note(`${what}: ${denied ? 'refused (ACCESS_REFUSED)' : 'ALLOWED'}`);
          run.expect(denied, `the worker user could ${what}`);
        }
        return await finishScenario(
          run,
          { ns, requester, executions },
          { accepted: ['allowed-job', 'follow-up'], settleMs: 30_000 },
        );
      } finally {
        await rabbitmqctl('delete_user', user);
      }
    });
    expect(result.violations).toEqual([]);
  });
});
