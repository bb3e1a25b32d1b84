import {
  resolvePolicy,
  type FailurePolicy,
  type ManagerConfig,
  type RequestState,
} from '@org/protocol';
import { type RetentionScope } from './store/sweeps.repository';

const FAILED: readonly RequestState[] = ['ERROR', 'INVALID_CONTENT', 'CANCELLED'];

/** The retention rules of a configuration: which kept rows to delete after how long. */
export function retentionScopes(config: ManagerConfig): RetentionScope[] {
  const scopes: RetentionScope[] = [];
  const add = (policy: FailurePolicy, workflow: string | null, workerType: string | null) => {
    const resolved = resolvePolicy(policy);
    if (resolved.successRetentionMs !== undefined)
      scopes.push({
        workflow,
        workerType,
        states: ['SUCCESS'],
        olderThanMs: resolved.successRetentionMs,
      });
    if (resolved.errorRetentionMs !== undefined)
      scopes.push({ workflow, workerType, states: FAILED, olderThanMs: resolved.errorRetentionMs });
  };
  for (const worker of config.workers) add(worker, null, worker.type);
  for (const workflow of config.workflows) add(workflow, workflow.type, null);
  return scopes;
}
