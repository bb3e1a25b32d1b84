import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '../../config/config.service';
import { UnknownWorkerTypeError } from '../request-errors';
import { DispatchRepository } from '../store/dispatch.repository';
import { Dispatcher } from './dispatcher.service';

/** A worker type's pause, as operators see it. */
export interface PauseState {
  readonly workerType: string;
  readonly paused: boolean;
  readonly reason: string | null;
  readonly by: string | null;
  readonly since: string | null;
}

/**
 * Pauses and resumes the dispatch of a worker type (design 5.1). The flag lives in the
 * database and every replica's claim reads it under the type's lock, so a pause holds on every
 * replica from the next claim on; jobs already out finish. Waiting requests stay QUEUED and show
 * the reason.
 */
@Injectable()
export class DispatchControls {
  private readonly logger = new Logger('DispatchControls');

  constructor(
    private readonly repository: DispatchRepository,
    private readonly dispatcher: Dispatcher,
    private readonly config: ConfigService,
  ) {}

  async pause(workerType: string, reason: string | null, by: string | null): Promise<PauseState> {
    this.assertKnown(workerType);
    await this.repository.setPaused(workerType, true, reason, by);
    this.logger.log(
      `worker type ${workerType} paused${by ? ` by ${by}` : ''}${reason ? `: ${reason}` : ''}`,
    );
    return this.state(workerType);
  }

  async resume(workerType: string, by: string | null): Promise<PauseState> {
    this.assertKnown(workerType);
    await this.repository.setPaused(workerType, false, null, by);
    this.logger.log(`worker type ${workerType} resumed${by ? ` by ${by}` : ''}`);
    this.dispatcher.kick(workerType);
    return this.state(workerType);
  }

  /** Every configured type's pause state. */
  async states(): Promise<PauseState[]> {
    const stored = new Map((await this.repository.controls()).map((row) => [row.workerType, row]));
    return this.config.workerTypes().map((workerType) => {
      const row = stored.get(workerType);
      return {
        workerType,
        paused: row?.paused ?? false,
        reason: row?.paused ? row.pauseReason : null,
        by: row?.paused ? row.pausedBy : null,
        since: row?.paused ? (row.pausedAt?.toISOString() ?? null) : null,
      };
    });
  }

  async state(workerType: string): Promise<PauseState> {
    const all = await this.states();
    return all.find((state) => state.workerType === workerType)!;
  }

  private assertKnown(workerType: string): void {
    if (!this.config.worker(workerType)) throw new UnknownWorkerTypeError(workerType);
  }
}
