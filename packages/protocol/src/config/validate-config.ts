import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import {
  issuesFromClassValidator,
  parsed,
  rejected,
  type ParseResult,
  type ValidationIssue,
} from '../validation';
import { parseDuration } from './duration';
import { ManagerConfig, RetryPolicy, type FailurePolicy } from './manager-config';

/** Where a content type's requests go: one worker type, or a workflow of several. */
export type Route =
  | { readonly kind: 'worker'; readonly workerType: string; readonly policy: ResolvedPolicy }
  | {
      readonly kind: 'workflow';
      readonly workflow: string;
      readonly steps: readonly string[];
      readonly policy: ResolvedPolicy;
    };

/** A failure policy with every default applied. */
export interface ResolvedPolicy {
  readonly keepErrors: boolean;
  readonly keepSuccess: boolean;
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy;
  /** Kept successes are deleted this long after they succeeded; undefined keeps them. */
  readonly successRetentionMs: number | undefined;
  /** Kept failures are deleted this long after they ended; undefined keeps them. */
  readonly errorRetentionMs: number | undefined;
}

/** Parses and validates a YAML configuration; every problem is reported with its path. */
export function parseConfigYaml(text: string): ParseResult<ManagerConfig> {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos
        ? `line ${error.linePos[0].line}`
        : '(document)';
    return rejected('configuration', [
      { path: where, message: (error as Error).message.split('\n')[0] ?? 'is not YAML' },
    ]);
  }
  return validateConfig(document ?? {});
}

/**
 * Validates a configuration object (from YAML, JSON or REST). Beyond each field's rules it checks
 * the whole: unique worker and workflow types, workflow steps that exist, each content type
 * owned by at most one worker or workflow, and no skipped content type that is also routed.
 */
export function validateConfig(input: unknown): ParseResult<ManagerConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return rejected('configuration', [
      { path: '(root)', message: 'must be an object with workers, workflows and skipContentTypes' },
    ]);
  }
  const unknownKeys = Object.keys(input).filter(
    (key) => !['workers', 'workflows', 'skipContentTypes'].includes(key),
  );
  const config = plainToInstance(ManagerConfig, input);
  const issues: ValidationIssue[] = unknownKeys.map((key) => ({
    path: key,
    message: 'is not a configuration key (workers, workflows, skipContentTypes)',
  }));
  issues.push(
    ...issuesFromClassValidator(
      validateSync(config, {
        forbidUnknownValues: true,
        whitelist: true,
        forbidNonWhitelisted: true,
      }),
      '',
    ),
  );
  if (issues.length === 0) issues.push(...crossCheck(config));
  return issues.length > 0 ? rejected('configuration', issues) : parsed(config);
}

function crossCheck(config: ManagerConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const workerTypes = new Map<string, number>();
  config.workers.forEach((worker, index) => {
    const first = workerTypes.get(worker.type);
    if (first !== undefined)
      issues.push({
        path: `workers[${index}].type`,
        message: `"${worker.type}" is already defined by workers[${first}]`,
      });
    else workerTypes.set(worker.type, index);
  });
  const workflowTypes = new Map<string, number>();
  config.workflows.forEach((workflow, index) => {
    const first = workflowTypes.get(workflow.type);
    if (first !== undefined)
      issues.push({
        path: `workflows[${index}].type`,
        message: `"${workflow.type}" is already defined by workflows[${first}]`,
      });
    else workflowTypes.set(workflow.type, index);
    workflow.steps.forEach((step, stepIndex) => {
      if (!workerTypes.has(step)) {
        issues.push({
          path: `workflows[${index}].steps[${stepIndex}]`,
          message: `"${step}" is not a worker type defined under workers`,
        });
      }
    });
  });
  const owners = new Map<string, string>();
  const claim = (contentType: string, path: string): void => {
    const owner = owners.get(contentType);
    if (owner !== undefined)
      issues.push({ path, message: `content type "${contentType}" is already routed by ${owner}` });
    else owners.set(contentType, path);
  };
  config.workers.forEach((worker, index) =>
    worker.contentTypes.forEach((contentType, i) =>
      claim(contentType, `workers[${index}].contentTypes[${i}]`),
    ),
  );
  config.workflows.forEach((workflow, index) => {
    if (workflow.contentTypes === undefined) claim(workflow.type, `workflows[${index}].type`);
    else
      workflow.contentTypes.forEach((contentType, i) =>
        claim(contentType, `workflows[${index}].contentTypes[${i}]`),
      );
  });
  const retentionIssues = (policy: FailurePolicy, path: string): void => {
    if (policy.retention?.success !== undefined && policy.keepSuccess !== true)
      issues.push({
        path: `${path}.retention.success`,
        message: 'needs keepSuccess: true (successes are deleted at once otherwise)',
      });
    if (policy.retention?.errors !== undefined && policy.keepErrors === false)
      issues.push({
        path: `${path}.retention.errors`,
        message: 'has no effect with keepErrors: false (failures are deleted at once)',
      });
  };
  config.workers.forEach((worker, index) => retentionIssues(worker, `workers[${index}]`));
  config.workflows.forEach((workflow, index) => retentionIssues(workflow, `workflows[${index}]`));
  config.skipContentTypes.forEach((contentType, index) => {
    const owner = owners.get(contentType);
    if (owner !== undefined)
      issues.push({
        path: `skipContentTypes[${index}]`,
        message: `"${contentType}" is skipped but also routed by ${owner}`,
      });
  });
  return issues;
}

export function resolvePolicy(policy: FailurePolicy): ResolvedPolicy {
  return {
    keepErrors: policy.keepErrors ?? true,
    keepSuccess: policy.keepSuccess ?? false,
    timeoutMs: policy.timeoutMs,
    retry: policy.retry ?? new RetryPolicy(),
    successRetentionMs: parseDuration(policy.retention?.success),
    errorRetentionMs: parseDuration(policy.retention?.errors),
  };
}

/** The routing table of a valid configuration: content type → route. */
export function routesOf(config: ManagerConfig): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const worker of config.workers) {
    for (const contentType of worker.contentTypes) {
      routes.set(contentType, {
        kind: 'worker',
        workerType: worker.type,
        policy: resolvePolicy(worker),
      });
    }
  }
  for (const workflow of config.workflows) {
    for (const contentType of workflow.contentTypes ?? [workflow.type]) {
      routes.set(contentType, {
        kind: 'workflow',
        workflow: workflow.type,
        steps: workflow.steps,
        policy: resolvePolicy(workflow),
      });
    }
  }
  return routes;
}

/** Retry wait before attempt `attempt` (2 = first retry) under `policy`. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 2);
  return Math.min(
    policy.maxBackoffMs,
    Math.round(policy.backoffMs * policy.backoffMultiplier ** exponent),
  );
}
