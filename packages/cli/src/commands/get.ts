import { type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { fields, paint, paintState, table } from '../output/terminal';

interface HistoryEntry {
  readonly at: string;
  readonly state: string;
  readonly step?: number | null;
  readonly attempt?: number | null;
  readonly workerType?: string | null;
  readonly messages?: readonly string[];
}

/** The parts of `GET /api/v1/requests/{id}` a human view shows (--json prints all of it). */
export interface RequestDetail {
  readonly id: string;
  readonly state: string;
  readonly contentType: string;
  readonly workflow: string | null;
  readonly steps: readonly string[];
  readonly step: number;
  readonly workerType: string | null;
  readonly attempt: number;
  readonly tenant: string | null;
  readonly owner: string | null;
  readonly session: string | null;
  readonly priority?: number;
  readonly messages: readonly string[];
  readonly waitingReason?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history?: readonly HistoryEntry[];
}

/** A webhook delivery of the request (`GET /api/v1/requests/{id}/webhooks`). */
interface WebhookDelivery {
  readonly url: string;
  readonly eventState: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
}

/** `wm get ID`: one request, its fields, its history and its webhook deliveries. */
export async function getRequest(context: CommandContext, id: string): Promise<ExitCode> {
  const path = `/api/v1/requests/${encodeURIComponent(id)}`;
  const [detail, webhooks] = await Promise.all([
    context.client.get<RequestDetail>(path),
    context.client.get<WebhookDelivery[]>(`${path}/webhooks`),
  ]);
  const { terminal } = context;
  if (terminal.json) {
    terminal.out(JSON.stringify({ ...detail, webhooks }, null, 2));
    return EXIT.ok;
  }
  const entries: Array<[string, string]> = [
    ['id', detail.id],
    ['state', paintState(terminal, detail.state)],
    ['content type', detail.contentType],
    ['worker type', detail.workerType ?? '-'],
  ];
  if (detail.workflow)
    entries.push([
      'workflow',
      `${detail.workflow} (step ${detail.step + 1} of ${detail.steps.length}: ${detail.steps.join(' -> ')})`,
    ]);
  entries.push(['attempt', String(detail.attempt)]);
  for (const key of ['tenant', 'owner', 'session'] as const) {
    if (detail[key]) entries.push([key, detail[key]]);
  }
  if (detail.priority) entries.push(['priority', String(detail.priority)]);
  if (detail.waitingReason) entries.push(['waiting', detail.waitingReason]);
  if (detail.messages.length > 0) entries.push(['messages', detail.messages.join('; ')]);
  entries.push(['created', detail.createdAt], ['updated', detail.updatedAt]);
  for (const line of fields(terminal, entries)) terminal.out(line);
  const history = detail.history ?? [];
  if (history.length > 0) {
    terminal.out('');
    terminal.out(paint(terminal, 'bold', 'history'));
    const rows = history.map((entry) => [
      entry.at,
      paintState(terminal, entry.state),
      entry.workerType ?? '',
      entry.step === null || entry.step === undefined ? '' : String(entry.step),
      entry.attempt === null || entry.attempt === undefined ? '' : String(entry.attempt),
      (entry.messages ?? []).join('; '),
    ]);
    for (const line of table(
      terminal,
      ['AT', 'STATE', 'WORKER', 'STEP', 'ATTEMPT', 'MESSAGES'],
      rows,
    )) {
      terminal.out(line);
    }
  }
  if (webhooks.length > 0) {
    terminal.out('');
    terminal.out(paint(terminal, 'bold', 'webhooks'));
    const colour = (state: string) =>
      state === 'delivered' ? 'green' : state === 'failed' ? 'red' : 'yellow';
    const rows = webhooks.map((delivery) => [
      delivery.eventState,
      paint(terminal, colour(delivery.state), delivery.state),
      String(delivery.attempts),
      delivery.lastStatus === null ? '-' : String(delivery.lastStatus),
      delivery.url,
      delivery.lastError ?? '',
    ]);
    const header = ['EVENT', 'DELIVERY', 'ATTEMPTS', 'STATUS', 'URL', 'LAST ERROR'];
    for (const line of table(terminal, header, rows)) terminal.out(line);
  }
  return EXIT.ok;
}
