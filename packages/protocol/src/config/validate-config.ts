import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parsed, rejected, type ParseResult, type ValidationIssue } from '../validation';
import { configIssues, uniqueIssues } from './config-issues';
import { parseDuration } from './duration';
import {
  ManagerConfig,
  RetryPolicy,
  type FailurePolicy,
  type WorkflowConfig,
} from './manager-config';
import {
  graphIssues,
  graphOf,
  isGraphSteps,
  type GraphStepConfig,
  type WorkflowGraph,
} from './workflow-graph';

/** Where a content type's requests go: one worker type, or a workflow of several. */
export type Route =
  | { readonly kind: 'worker'; readonly workerType: string; readonly policy: ResolvedPolicy }
  | {
      readonly kind: 'workflow';
      readonly workflow: string;
      /** Worker types of the steps, in declared order. */
      readonly steps: readonly string[];
      /** The steps' graph, when the workflow is written as one (design 5.4); undefined for a chain. */
      readonly graph?: WorkflowGraph;
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
 * Validates a configuration object (from YAML, JSON or REST) and reports every problem once,
 * each with its path: the fields' own rules (unknown keys included) and, over whatever parts are
 * well-formed, the whole: unique worker and workflow types, workflow steps that exist, each
 * content type owned by at most one worker or workflow, no skipped content type that is also
 * routed. A typo in one key therefore does not hide a missing workflow step elsewhere.
 */
export function validateConfig(input: unknown): ParseResult<ManagerConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return rejected('configuration', [
      { path: '(root)', message: 'must be an object with workers, workflows and skipContentTypes' },
    ]);
  }
  const config = plainToInstance(ManagerConfig, input);
  const issues = uniqueIssues([
    ...configIssues(
      validateSync(config, {
        forbidUnknownValues: true,
        whitelist: true,
        forbidNonWhitelisted: true,
      }),
    ),
    ...crossCheck(config),
  ]);
  return issues.length > 0 ? rejected('configuration', issues) : parsed(config);
}

/** The entries of a list that may hold anything (the document is not validated yet). */
function entries(list: unknown): Array<{ readonly index: number; readonly value: unknown }> {
  return Array.isArray(list) ? (list as unknown[]).map((value, index) => ({ index, value })) : [];
}

/** A string field of an entry that may be anything, or undefined. */
function text(entry: unknown, key: string): string | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const value = (entry as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

function texts(
  entry: unknown,
  key: string,
): Array<{ readonly index: number; readonly value: string }> {
  const list =
    entry !== null && typeof entry === 'object'
      ? (entry as Record<string, unknown>)[key]
      : undefined;
  return entries(list).filter(
    (item): item is { index: number; value: string } => typeof item.value === 'string',
  );
}

/**
 * The steps of one workflow: a v1 list of worker types (each one defined), or a graph (every
 * rule of {@link graphIssues}). A list mixing both forms is refused entry by entry.
 */
function stepIssues(
  workflow: unknown,
  path: string,
  workerTypes: ReadonlySet<string>,
): ValidationIssue[] {
  const steps =
    workflow !== null && typeof workflow === 'object'
      ? (workflow as Record<string, unknown>)['steps']
      : undefined;
  if (!Array.isArray(steps)) return [];
  if (isGraphSteps(steps)) return graphIssues(steps as unknown[], path, workerTypes);
  const issues: ValidationIssue[] = [];
  for (const { index, value: step } of entries(steps)) {
    if (typeof step !== 'string')
      issues.push({
        path: `${path}[${index}]`,
        message:
          'must be a worker type, like the first step (a list is all worker types or all step objects)',
      });
    else if (!workerTypes.has(step))
      issues.push({
        path: `${path}[${index}]`,
        message: `"${step}" is not a worker type defined under workers`,
      });
  }
  return issues;
}

/**
 * Rules across entries, applied to the well-formed parts of a document that may still hold
 * errors (those are reported by the field rules): never throws on a wrong shape.
 */
function crossCheck(config: ManagerConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const workerTypes = new Map<string, number>();
  for (const { index, value: worker } of entries(config.workers)) {
    const type = text(worker, 'type');
    if (type === undefined) continue;
    const first = workerTypes.get(type);
    if (first !== undefined)
      issues.push({
        path: `workers[${index}].type`,
        message: `"${type}" is already defined by workers[${first}]`,
      });
    else workerTypes.set(type, index);
  }
  const workflowTypes = new Map<string, number>();
  for (const { index, value: workflow } of entries(config.workflows)) {
    const type = text(workflow, 'type');
    if (type !== undefined) {
      const first = workflowTypes.get(type);
      if (first !== undefined)
        issues.push({
          path: `workflows[${index}].type`,
          message: `"${type}" is already defined by workflows[${first}]`,
        });
      else workflowTypes.set(type, index);
    }
    issues.push(...stepIssues(workflow, `workflows[${index}].steps`, new Set(workerTypes.keys())));
  }
  const owners = new Map<string, string>();
  const claim = (contentType: string, path: string): void => {
    const owner = owners.get(contentType);
    if (owner !== undefined)
      issues.push({ path, message: `content type "${contentType}" is already routed by ${owner}` });
    else owners.set(contentType, path);
  };
  for (const { index, value: worker } of entries(config.workers))
    for (const { index: i, value: contentType } of texts(worker, 'contentTypes'))
      claim(contentType, `workers[${index}].contentTypes[${i}]`);
  for (const { index, value: workflow } of entries(config.workflows)) {
    const declared = (workflow as { contentTypes?: unknown } | null)?.contentTypes;
    if (declared === undefined) {
      const type = text(workflow, 'type');
      if (type !== undefined) claim(type, `workflows[${index}].type`);
    } else {
      for (const { index: i, value: contentType } of texts(workflow, 'contentTypes'))
        claim(contentType, `workflows[${index}].contentTypes[${i}]`);
    }
  }
  const retentionIssues = (policy: unknown, path: string): void => {
    if (policy === null || typeof policy !== 'object') return;
    const { retention, keepSuccess, keepErrors } = policy as FailurePolicy;
    if (retention === null || typeof retention !== 'object') return;
    if (retention.success !== undefined && keepSuccess !== true)
      issues.push({
        path: `${path}.retention.success`,
        message: 'needs keepSuccess: true (successes are deleted at once otherwise)',
      });
    if (retention.errors !== undefined && keepErrors === false)
      issues.push({
        path: `${path}.retention.errors`,
        message: 'has no effect with keepErrors: false (failures are deleted at once)',
      });
  };
  for (const { index, value: worker } of entries(config.workers))
    retentionIssues(worker, `workers[${index}]`);
  for (const { index, value: workflow } of entries(config.workflows))
    retentionIssues(workflow, `workflows[${index}]`);
  for (const { index, value: contentType } of entries(config.skipContentTypes)) {
    if (typeof contentType !== 'string') continue;
    const owner = owners.get(contentType);
    if (owner !== undefined)
      issues.push({
        path: `skipContentTypes[${index}]`,
        message: `"${contentType}" is skipped but also routed by ${owner}`,
      });
  }
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
      routes.set(contentType, workflowRoute(workflow));
    }
  }
  return routes;
}

/** The route of a valid workflow: its worker types in declared order, and its graph if it is one. */
function workflowRoute(workflow: WorkflowConfig): Route {
  const policy = resolvePolicy(workflow);
  if (!isGraphSteps(workflow.steps))
    return { kind: 'workflow', workflow: workflow.type, steps: workflow.steps as string[], policy };
  const graph = graphOf(workflow.steps as GraphStepConfig[]);
  return {
    kind: 'workflow',
    workflow: workflow.type,
    steps: graph.steps.map((step) => step.worker),
    graph,
    policy,
  };
}

/** Retry wait before attempt `attempt` (2 = first retry) under `policy`. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 2);
  return Math.min(
    policy.maxBackoffMs,
    Math.round(policy.backoffMs * policy.backoffMultiplier ** exponent),
  );
}
