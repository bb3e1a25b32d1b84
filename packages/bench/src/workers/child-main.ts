/**
 * The life cycle shared by the bench's child processes: start, tell the parent `ready`, stop on
 * IPC `stop` or SIGTERM, report a failure instead of dying silently.
 */
export function runChild(start: () => Promise<() => Promise<void>>): void {
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await stop?.();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message: { kind?: string }) => {
    if (message.kind === 'stop') void shutdown();
  });
  process.on('SIGTERM', () => void shutdown());
  process.on('disconnect', () => void shutdown());
  start()
    .then((stopFn) => {
      stop = stopFn;
      process.send?.({ kind: 'ready' });
    })
    .catch((error: unknown) => {
      console.error(error);
      process.send?.({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
      process.exit(1);
    });
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`environment variable ${name} is required`);
  return value;
}
