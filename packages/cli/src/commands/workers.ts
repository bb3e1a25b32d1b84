import { type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { paint, table } from '../output/terminal';

interface WorkerType {
  readonly type: string;
  readonly configured: boolean;
  readonly available: boolean;
  readonly liveInstances: number;
  readonly capacity: number;
  readonly waiting: number;
  readonly oldestWaitSeconds: number | null;
  readonly contentTypes: readonly string[];
  readonly stats: {
    readonly inFlight: number;
    readonly processed: number;
    readonly failed: number;
  };
}

interface PauseState {
  readonly workerType: string;
  readonly paused: boolean;
  readonly reason: string | null;
}

/** `wm workers`: worker types, liveness, capacity, backlog and counters. */
export async function listWorkers(context: CommandContext): Promise<ExitCode> {
  const { terminal } = context;
  const types = await context.client.get<WorkerType[]>('/api/v1/workers', { instances: 'none' });
  if (terminal.json) {
    terminal.out(JSON.stringify(types, null, 2));
    return EXIT.ok;
  }
  const rows = types.map((type) => [
    type.type,
    type.available
      ? paint(terminal, 'green', 'available')
      : paint(terminal, 'yellow', 'unavailable'),
    String(type.liveInstances),
    String(type.capacity),
    String(type.stats.inFlight),
    String(type.waiting),
    type.oldestWaitSeconds === null ? '-' : `${type.oldestWaitSeconds}s`,
    String(type.stats.processed),
    String(type.stats.failed),
    type.contentTypes.join(','),
  ]);
  const header = [
    'TYPE',
    'STATUS',
    'INSTANCES',
    'CAPACITY',
    'IN FLIGHT',
    'WAITING',
    'OLDEST',
    'PROCESSED',
    'FAILED',
    'CONTENT TYPES',
  ];
  for (const line of table(terminal, header, rows)) terminal.out(line);
  return EXIT.ok;
}

/** `wm pause TYPE` / `wm resume TYPE`: stop or restart the dispatch of a worker type. */
export async function pauseOrResume(
  context: CommandContext,
  action: 'pause' | 'resume',
  type: string,
  reason: string | undefined,
): Promise<ExitCode> {
  const path = `/api/v1/workers/${encodeURIComponent(type)}/${action}`;
  const state = await context.client.post<PauseState>(
    path,
    action === 'pause' && reason ? { reason } : undefined,
  );
  const { terminal } = context;
  if (terminal.json) terminal.out(JSON.stringify(state));
  else
    terminal.out(
      `${state.workerType}  ${state.paused ? `paused${state.reason ? ` (${state.reason})` : ''}` : 'dispatching'}`,
    );
  return EXIT.ok;
}
