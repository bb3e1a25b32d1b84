// A worker process (the built SDK) that takes jobs and never finishes them: it writes
// "STARTED <requestId>" for each job its handler starts and "HOLDING <n>" once its heartbeat
// counts n jobs in flight, so a test can SIGKILL it while it holds a whole batch.
// Plain CommonJS on the built package: a child process cannot load TypeScript sources.
const { createWorker } = require('../../dist/index.js');

const worker = createWorker({
  type: process.env.HOLDER_TYPE,
  concurrency: Number(process.env.HOLDER_CONCURRENCY ?? '10'),
  heartbeatIntervalMs: 100,
  handleSignals: false,
  logger: { debug() {}, info() {}, warn() {}, error: (msg) => console.error(msg) },
  handler: (job) => {
    process.stdout.write(`STARTED ${job.requestId}\n`);
    return new Promise(() => undefined);
  },
});

let reported = 0;
setInterval(() => {
  const { inFlight } = worker.stats();
  if (inFlight !== reported) process.stdout.write(`HOLDING ${(reported = inFlight)}\n`);
}, 20).unref();

worker.start().then(
  () => process.stdout.write('READY\n'),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
setInterval(() => undefined, 60_000); // stay alive until killed
