import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type RequestState } from '@org/protocol';

/**
 * A request row, for admin reads (REST). The hot paths (intake, dispatch, responses, sweeps)
 * use raw SQL and never hydrate entities. The schema itself comes from the migrations.
 */
@Entity({ name: 'requests' })
export class RequestEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  /** Arrival order (oldest first); bigint arrives as a string. */
  @Column({ type: 'bigint' }) seq!: string;
  @Column({ type: 'text' }) state!: RequestState;
  /** The content type the requester submitted. */
  @Column({ name: 'content_type', type: 'text' }) contentType!: string;
  @Column({ type: 'text', nullable: true }) workflow!: string | null;
  /** Worker types of the steps; one entry for a single-type request. */
  @Column({ type: 'text', array: true }) steps!: string[];
  @Column({ type: 'integer' }) step!: number;
  /** Worker type of the current step. */
  @Column({ name: 'worker_type', type: 'text' }) workerType!: string;
  /** Dispatches so far: the fencing token of the current job. */
  @Column({ type: 'integer' }) attempt!: number;
  /** Dispatches of the current step in this cycle (retry policy). */
  @Column({ name: 'cycle_attempts', type: 'integer' }) cycleAttempts!: number;
  /** The current step's input. */
  @Column({ type: 'bytea', select: false }) input!: Buffer;
  @Column({ name: 'input_content_type', type: 'text' }) inputContentType!: string;
  @Column({ name: 'input_mime', type: 'text', nullable: true }) inputMime!: string | null;
  @Column({ type: 'jsonb' }) meta!: Record<string, string>;
  @Column({ type: 'text', nullable: true }) tenant!: string | null;
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ type: 'text', nullable: true }) session!: string | null;
  @Column({ name: 'correlation_id', type: 'text', nullable: true }) correlationId!: string | null;
  @Column({ name: 'reply_to', type: 'text', nullable: true }) replyTo!: string | null;
  @Column({ type: 'text', nullable: true }) traceparent!: string | null;
  @Column({ type: 'text', array: true }) messages!: string[];
  @Column({ name: 'worker_id', type: 'text', nullable: true }) workerId!: string | null;
  @Column({ name: 'timeout_ms', type: 'integer', nullable: true }) timeoutMs!: number | null;
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) deadline!: Date | null;
  @Column({ name: 'retry_at', type: 'timestamptz', nullable: true }) retryAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
