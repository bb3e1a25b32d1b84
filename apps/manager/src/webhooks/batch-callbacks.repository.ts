import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement, type Tx } from '../database/database.service';
import { currentRequestContext } from '../logging/request-context';

/** What a batch does when some of its requests fail (seed 004). */
export const PARTIAL_POLICIES = ['allow', 'fail'] as const;
export type PartialPolicy = (typeof PARTIAL_POLICIES)[number];

/** One request of a batch that ended, and how. */
export interface EndedMember {
  readonly requestId: string;
  readonly state: string;
}

/** A summary to deliver: the batch's callback and its JSON body. */
export interface BatchSummaryDelivery {
  readonly batchId: string;
  readonly url: string;
  readonly keyName: string | null;
  readonly payload: string;
}

interface BatchRow {
  id: string;
  url: string;
  key_name: string | null;
  partial: PartialPolicy;
  total: number;
  ended: number;
  failed: number;
}

/**
 * Batches submitted with one callback: the batch, its members (subscription rows with its
 * `batch_id`) and how many ended. The summary is due when every member ended, or, with
 * `partial: fail`, at the first member that did not succeed (the batch has failed; members
 * still running are reported as such and not waited for).
 */
@Injectable()
export class BatchCallbacks {
  private readonly openStatement: Statement;
  private readonly membersStatement: Statement;
  private readonly endStatement: Statement;
  private readonly countStatement: Statement;
  private readonly closeStatement: Statement;
  private readonly listStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const batches = database.table('webhook_batches');
    const subscriptions = database.table('webhook_subscriptions');
    this.openStatement = database.statement(
      'webhook-batch-open',
      `INSERT INTO ${batches} (id, url, key_name, partial, total) VALUES ($1, $2, $3, $4, $5)`,
    );
    this.membersStatement = database.statement(
      'webhook-batch-members',
      `INSERT INTO ${subscriptions} (request_id, url, events, key_name, batch_id)
       SELECT u.id, NULL, 'terminal', $2, $3 FROM unnest($1::text[]) AS u(id)
       ON CONFLICT (request_id) DO NOTHING`,
    );
    this.endStatement = database.statement(
      'webhook-batch-end',
      `UPDATE ${subscriptions} s SET batch_state = u.state
       FROM unnest($1::text[], $2::text[]) AS u(id, state)
       WHERE s.request_id = u.id AND s.batch_id IS NOT NULL AND s.batch_state IS NULL
       RETURNING s.batch_id, s.batch_state`,
    );
    this.countStatement = database.statement(
      'webhook-batch-count',
      `UPDATE ${batches} SET ended = ended + $2, failed = failed + $3
       WHERE id = $1 AND state = 'open'
       RETURNING id, url, key_name, partial, total, ended, failed`,
    );
    this.closeStatement = database.statement(
      'webhook-batch-close',
      `UPDATE ${batches} SET state = 'done' WHERE id = $1`,
    );
    this.listStatement = database.statement(
      'webhook-batch-list',
      `SELECT request_id, batch_state FROM ${subscriptions} WHERE batch_id = $1 ORDER BY request_id`,
    );
  }

  /**
   * Records a batch before its requests are submitted (so none can end unseen): the batch row
   * and a membership per request id. Ids already subscribed elsewhere are not taken over.
   */
  async open(
    batchId: string,
    url: string,
    partial: PartialPolicy,
    requestIds: readonly string[],
  ): Promise<void> {
    const keyName = currentRequestContext()?.principal ?? null;
    await this.database.transaction(async (tx) => {
      await tx.query(this.openStatement, [batchId, url, keyName, partial, requestIds.length]);
      await tx.query(this.membersStatement, [requestIds, keyName, batchId]);
    });
  }

  /**
   * In the transaction of their end: counts members that ended for the first time and returns
   * the summaries that became due.
   */
  async settle(tx: Tx, ended: readonly EndedMember[]): Promise<BatchSummaryDelivery[]> {
    if (ended.length === 0) return [];
    const rows = await tx.query<{ batch_id: string; batch_state: string }>(this.endStatement, [
      ended.map((member) => member.requestId),
      ended.map((member) => member.state),
    ]);
    const byBatch = new Map<string, { ended: number; failed: number }>();
    for (const row of rows) {
      const counts = byBatch.get(row.batch_id) ?? { ended: 0, failed: 0 };
      counts.ended += 1;
      if (row.batch_state !== 'SUCCESS') counts.failed += 1;
      byBatch.set(row.batch_id, counts);
    }
    const due: BatchSummaryDelivery[] = [];
    for (const [batchId, counts] of byBatch) {
      const [batch] = await tx.query<BatchRow>(this.countStatement, [
        batchId,
        counts.ended,
        counts.failed,
      ]);
      if (!batch) continue;
      if (batch.ended < batch.total && !(batch.partial === 'fail' && batch.failed > 0)) continue;
      await tx.query(this.closeStatement, [batchId]);
      const members = await tx.query<{ request_id: string; batch_state: string | null }>(
        this.listStatement,
        [batchId],
      );
      due.push({
        batchId,
        url: batch.url,
        keyName: batch.key_name,
        payload: JSON.stringify(batchSummary(batch, members)),
      });
    }
    return due;
  }
}

/** The body of a batch's summary call (docs/webhooks.md). */
function batchSummary(
  batch: BatchRow,
  members: ReadonlyArray<{ request_id: string; batch_state: string | null }>,
): Record<string, unknown> {
  const succeeded = batch.ended - batch.failed;
  const outcome =
    batch.failed === 0
      ? 'succeeded'
      : batch.partial === 'fail' || succeeded === 0
        ? 'failed'
        : 'partial';
  return {
    type: 'batch.summary',
    batchId: batch.id,
    partial: batch.partial,
    outcome,
    total: batch.total,
    ended: batch.ended,
    succeeded,
    failed: batch.failed,
    requests: members.map((member) => ({
      requestId: member.request_id,
      state: member.batch_state,
    })),
    occurredAt: new Date().toISOString(),
  };
}
