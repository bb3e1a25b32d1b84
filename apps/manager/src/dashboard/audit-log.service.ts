import { Injectable } from '@nestjs/common';
import { AuditLogRepository, type NewAuditEntry } from './audit-log.repository';

/**
 * Writes every dashboard action to the audit log, whether it succeeded or failed: `run` records
 * the outcome after the action, so the log says what was done, not what was attempted.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly repository: AuditLogRepository) {}

  async run<T>(
    entry: Omit<NewAuditEntry, 'count' | 'skipped' | 'outcome'>,
    action: () => Promise<T>,
    countsOf: (result: T) => { count: number | null; skipped: number | null } = () => ({
      count: null,
      skipped: null,
    }),
  ): Promise<T> {
    let result: T;
    try {
      result = await action();
    } catch (error) {
      await this.repository.append({
        ...entry,
        count: null,
        skipped: null,
        outcome: `failed: ${(error as Error).message}`.slice(0, 500),
      });
      throw error;
    }
    await this.repository.append({ ...entry, ...countsOf(result), outcome: 'done' });
    return result;
  }
}
