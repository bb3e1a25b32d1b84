/**
 * `pnpm start`: the manager and both example workers in this process, and a sample
 * `product/ingest` of generated GeoTIFFs and GeoJSONs shown as it happens.
 *
 * Stays up afterwards (Ctrl+C stops it gracefully) unless `--exit`, `DEMO_EXIT=1` or `CI` asks
 * for a summary and an exit code: 0 when every request succeeded, 1 otherwise.
 * Environment: see `demo-options.ts` (`WM_NAMESPACE` default `demo`, `PORT` default 3000,
 * `AMQP_URL`, `DATABASE_URL`, `WM_CONFIG`, `DEMO_DATA_DIR`, `DEMO_TIMEOUT_MS`, `DEMO_VERBOSE`).
 */
import { demoOptions } from './demo-options';
import { runDemo, type RunningDemo } from './run-demo';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const options = demoOptions(process.argv.slice(2), process.env);
  // Signals may arrive while the demo is still starting: they stop whatever has started by then.
  const state: { demo?: RunningDemo; stopping: boolean } = { stopping: false };
  const shutdown = (code: number) => {
    if (state.stopping) process.exit(1); // a second Ctrl+C: do not wait
    state.stopping = true;
    console.log('Stopping…');
    void (state.demo?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));

  state.demo = await runDemo(options);
  const code = await state.demo.finished;
  if (options.exit && !state.stopping) {
    state.stopping = true;
    await state.demo.stop();
    process.exit(code);
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${describe(error)}`);
  console.error(
    'It needs RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672) and PostgreSQL ' +
      '(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).',
  );
  process.exit(1);
});
