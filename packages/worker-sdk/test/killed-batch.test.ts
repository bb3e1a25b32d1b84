import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import { createWorker, type Worker } from '@org/worker-sdk';
import {
  allResponses,
  declareManagerTopology,
  finalCount,
  jobBatch,
  memoryLogger,
  publish,
} from './support/broker';

const TYPE = 'holder';
const HOLDER = join(__dirname, 'support', 'batch-holder.cjs');

/** Starts the holder process (needs a current build: `pnpm build`) and follows its output. */
function startHolder(env: NodeJS.ProcessEnv): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [HOLDER], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines };
}

// Real broker round trips and a real process; the preset's timeout does not apply from the root.

describe('a worker process killed while it holds a batch', () => {
  const ns = useTestNamespace();
  let survivor: Worker | undefined;
  let holder: ChildProcess | undefined;

  afterEach(async () => {
    holder?.kill('SIGKILL');
    await survivor?.stop();
    survivor = undefined;
  });

  it('leaves all 50 jobs to another instance, which answers each once', async () => {
    await declareManagerTopology(ns(), TYPE);
    const responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    const started = startHolder(ns().env({ HOLDER_TYPE: TYPE, HOLDER_CONCURRENCY: '10' }));
    holder = started.child;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      holder!.once('exit', (_code, signal) => resolve(signal)),
    );
    await waitFor(() => started.lines.includes('READY'), { what: 'the holder process ready' });

    const ids = Array.from({ length: 50 }, (_, index) => `held-${index}`);
    await publish(ns(), jobBatch(ns(), TYPE, ids));
    // It holds the whole batch: ten handlers running (its concurrency), forty waiting for a slot.
    await waitFor(() => started.lines.includes('HOLDING 50'), { what: 'the batch held' });
    await waitFor(() => started.lines.filter((line) => line.startsWith('STARTED ')).length === 10, {
      what: 'ten handlers started',
    });
    holder.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const runs: Array<{ requestId: string; redelivered: boolean }> = [];
    survivor = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      instanceId: 'survivor',
      concurrency: 8,
      handleSignals: false,
      logger: memoryLogger(),
      handler: (j, ctx) => {
        runs.push({ requestId: j.requestId, redelivered: j.redelivered });
        return ctx.success();
      },
    });
    await survivor.start();
    await waitFor(() => finalCount(responses.messages) >= 50, { what: '50 answers' });
    await survivor.stop();

    const answers = allResponses(responses.messages);
    expect(answers).toHaveLength(50);
    expect(answers.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    expect(answers.every((r) => r.status === 'SUCCESS' && r.workerId === 'survivor')).toBe(true);
    expect(runs).toHaveLength(50);
    expect(runs.every((run) => run.redelivered)).toBe(true);
    const { messageCount } = await ns().channel.checkQueue(ns().names.workerQueue(TYPE));
    expect(messageCount).toBe(0);
  });
});
