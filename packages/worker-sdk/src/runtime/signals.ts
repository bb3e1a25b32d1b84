import { type Logger } from '../logger';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

interface Registration {
  readonly stop: () => Promise<void>;
  readonly logger: Logger;
}

// One set of process listeners for all workers of the process, so a process running several
// workers exits only once every one of them has stopped.
const registrations = new Set<Registration>();
let stopping = false;
const exit = (code: number): void => process.exit(code);

function onSignal(signal: NodeJS.Signals): void {
  const current = [...registrations];
  const logger = current[0]?.logger;
  if (stopping) {
    logger?.warn(`${signal} received again: exiting without waiting for in-flight jobs`);
    exit(1);
    return;
  }
  stopping = true;
  logger?.info(`${signal} received: stopping gracefully`);
  void Promise.allSettled(current.map((registration) => registration.stop())).then((outcomes) => {
    stopping = false;
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
    for (const failure of failures)
      logger?.error('graceful stop failed', { error: failure.reason });
    exit(failures.length === 0 ? 0 : 1);
  });
}

/**
 * On SIGTERM or SIGINT: stop every registered worker gracefully, then exit 0 (1 if a stop
 * failed). A second signal exits at once with 1, for the operator who really means it.
 * Returns the uninstaller.
 */
export function installSignalHandlers(stop: () => Promise<void>, logger: Logger): () => void {
  const registration: Registration = { stop, logger };
  if (registrations.size === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
  registrations.add(registration);
  return () => {
    registrations.delete(registration);
    if (registrations.size === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}
