/**
 * The SDK worker the suite runs as a child process (`node dist/fault-worker.js`), so that killing,
 * stopping or crashing it is a real fault. Configured by environment:
 *
 * - `FAULT_WORKER_TYPE` (required), `FAULT_CONCURRENCY` (default 10), `FAULT_DELAY_MS` (default 0);
 * - `FAULT_EXEC_LOG`: every handler execution appends `start <requestId> <attempt> <pid>` and,
 *   when the handler returns, `end …`, so the suite counts executions per request id;
 * - `FAULT_POISON=1`: a body containing `poison` kills the process (`process.exit(70)`), every time;
 * - `FAULT_JSON=1`: the payload must be JSON `{ "n": <integer> }` (INVALID_CONTENT otherwise);
 * - `FAULT_DECLARE=check`: only check the topology (a least-privilege broker user);
 * - plus the SDK's own `AMQP_URL`, `WM_NAMESPACE`, `WM_HEARTBEAT_INTERVAL_MS`.
 */
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { IsInt } from 'class-validator';
import { createWorker, type WorkerOptions } from '@org/worker-sdk';

class NumberedJob {
  @IsInt()
  n!: number;
}

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

const type = env('FAULT_WORKER_TYPE');
const log = process.env['FAULT_EXEC_LOG'];
const delayMs = Number(env('FAULT_DELAY_MS', '0'));
const WORK_STEP_MS = 50;
const poison = process.env['FAULT_POISON'] === '1';

function record(what: 'start' | 'end', requestId: string, attempt: number): void {
  // Synchronous on purpose: the line must be on disk before a SIGKILL can interrupt the handler.
  if (log) appendFileSync(log, `${what} ${requestId} ${attempt} ${process.pid}\n`);
}

const options: WorkerOptions<unknown> = {
  type,
  concurrency: Number(env('FAULT_CONCURRENCY', '10')),
  shutdownGraceMs: 2000,
  // RUNNING at once, as v1 sent it: the scenarios count every response the manager drops, and a
  // RUNNING arriving a second later (the SDK's lean default) could land after a forged SUCCESS.
  runningAfterMs: 0,
  declareQueue: process.env['FAULT_DECLARE'] === 'check' ? 'check' : 'assert',
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  },
  ...(process.env['FAULT_JSON'] === '1' ? { payload: NumberedJob } : {}),
  handler: async (job, ctx) => {
    record('start', job.requestId, job.attempt);
    if (poison && job.body.includes('poison')) process.exit(70);
    // The handler's own work time (what a real job spends), not a wait on a condition. It
    // advances in small steps, as real work does: a process frozen by SIGSTOP resumes where it
    // was and still has most of its work to do, so its answer goes out after it has noticed the
    // lost connection and reconnected: the late answer the manager must fence off. (One long
    // timer would fire the instant the process resumes, racing the reconnection.)
    for (let worked = 0; worked < delayMs; worked += WORK_STEP_MS) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(WORK_STEP_MS, delayMs - worked)));
    }
    record('end', job.requestId, job.attempt);
    return ctx.success({ body: job.body });
  },
};

void createWorker(options)
  .start()
  .then(() => process.stdout.write(`ready ${process.pid}\n`));
