import { STEP_ID_PATTERN } from '../names';
import { type ValidationIssue } from '../validation';

/**
 * Graph workflows (design 5.4): a workflow's `steps` is either a list of worker types (v1, a
 * chain) or a list of step objects `{ id, worker, after }`. A step with no `after` takes the
 * request's input, a step with one parent that parent's output, a step with several parents
 * (fan-in) their outputs as parts. Sinks (steps no other step lists in `after`) make the result.
 */

/** One step of a graph workflow, as configured. */
export interface GraphStepConfig {
  /** The step's id: lower-case letters, digits, `_` and `-`, unique in its workflow. */
  readonly id: string;
  /** The worker type that runs it. */
  readonly worker: string;
  /** The steps whose outputs it takes. @default [] (a root: it takes the request's input) */
  readonly after?: readonly string[];
}

/** A step of a valid graph, with its place in the declared order. */
export interface GraphStep {
  readonly id: string;
  readonly worker: string;
  readonly after: readonly string[];
  /** The step's index in the declared order (`wm-step` of its jobs). */
  readonly index: number;
}

/** A validated graph: its steps in declared order, and its sinks. */
export interface WorkflowGraph {
  readonly steps: readonly GraphStep[];
  /** Ids of the steps no other step depends on: the request succeeds when all of them have. */
  readonly sinks: readonly string[];
}

const STEP_KEYS: ReadonlySet<string> = new Set(['id', 'worker', 'after']);

/** True when a `steps` list is written as a graph (its first entry is an object). */
export function isGraphSteps(steps: unknown): boolean {
  return Array.isArray(steps) && steps.length > 0 && typeof steps[0] === 'object';
}

/**
 * Every problem of a graph `steps` list, each with its path under `path` (`workflows[2].steps`):
 * malformed entries, duplicate ids, unknown worker types, unknown parents, cycles (with the
 * cycle's path), steps that no root reaches. Never throws on a wrong shape.
 */
export function graphIssues(
  steps: readonly unknown[],
  path: string,
  workerTypes: ReadonlySet<string>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const ids = new Map<string, number>();
  const wellFormed: Array<{ id: string; after: string[]; index: number }> = [];
  steps.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      issues.push({
        path: at,
        message: 'must be a step object { id, worker, after } (the list is a graph)',
      });
      return;
    }
    const step = entry as Record<string, unknown>;
    for (const key of Object.keys(step))
      if (!STEP_KEYS.has(key))
        issues.push({
          path: `${at}.${key}`,
          message: 'is not a step key (known: id, worker, after)',
        });
    const { id, worker, after } = step;
    let valid = true;
    if (typeof id !== 'string' || !STEP_ID_PATTERN.test(id)) {
      issues.push({
        path: `${at}.id`,
        message: `must be a step id matching ${String(STEP_ID_PATTERN)}`,
      });
      valid = false;
    } else if (ids.has(id)) {
      issues.push({
        path: `${at}.id`,
        message: `"${id}" is already the id of ${path}[${ids.get(id)!}]`,
      });
      valid = false;
    } else ids.set(id, index);
    if (typeof worker !== 'string')
      issues.push({ path: `${at}.worker`, message: 'must be a worker type' });
    else if (!workerTypes.has(worker))
      issues.push({
        path: `${at}.worker`,
        message: `"${worker}" is not a worker type defined under workers`,
      });
    const parents: string[] = [];
    if (after !== undefined) {
      if (!Array.isArray(after) || after.some((parent) => typeof parent !== 'string')) {
        issues.push({ path: `${at}.after`, message: 'must be a list of step ids' });
      } else {
        for (const parent of after as string[]) {
          if (parents.includes(parent))
            issues.push({ path: `${at}.after`, message: `lists "${parent}" twice` });
          else parents.push(parent);
        }
      }
    }
    if (valid) wellFormed.push({ id: id as string, after: parents, index });
  });
  for (const step of wellFormed) {
    step.after.forEach((parent, i) => {
      if (parent === step.id)
        issues.push({
          path: `${path}[${step.index}].after[${i}]`,
          message: 'a step cannot follow itself',
        });
      else if (!ids.has(parent))
        issues.push({
          path: `${path}[${step.index}].after[${i}]`,
          message: `"${parent}" is not the id of a step of this workflow`,
        });
    });
  }
  issues.push(...cycleIssues(wellFormed, ids, path));
  issues.push(...unreachableIssues(wellFormed, ids, path));
  return issues;
}

type Node = { readonly id: string; readonly after: readonly string[]; readonly index: number };

/** Each cycle once, reported at the step where it was closed, with the ids along it. */
function cycleIssues(nodes: readonly Node[], ids: ReadonlyMap<string, number>, path: string) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const state = new Map<string, 'open' | 'done'>();
  const issues: ValidationIssue[] = [];
  const trail: string[] = [];
  const visit = (node: Node): void => {
    state.set(node.id, 'open');
    trail.push(node.id);
    for (const parent of node.after) {
      if (parent === node.id || !ids.has(parent)) continue;
      const next = byId.get(parent);
      if (!next) continue;
      if (state.get(parent) === 'open') {
        const cycle = [...trail.slice(trail.indexOf(parent)), parent];
        issues.push({
          path: `${path}[${node.index}].after`,
          message: `cycle: ${cycle.reverse().join(' → ')}`,
        });
      } else if (!state.has(parent)) visit(next);
    }
    trail.pop();
    state.set(node.id, 'done');
  };
  for (const node of nodes) if (!state.has(node.id)) visit(node);
  return issues;
}

/** Steps that no root (a step without `after`) leads to: they could never run. */
function unreachableIssues(nodes: readonly Node[], ids: ReadonlyMap<string, number>, path: string) {
  const reached = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of nodes) {
      if (reached.has(node.id)) continue;
      if (node.after.every((parent) => reached.has(parent))) {
        reached.add(node.id);
        grew = true;
      }
    }
  }
  const issues: ValidationIssue[] = [];
  if (nodes.length > 0 && !nodes.some((node) => node.after.length === 0))
    issues.push({ path, message: 'has no root step (a step without after) to start from' });
  for (const node of nodes) {
    if (reached.has(node.id)) continue;
    // An unknown parent is reported as such; the step is not also called unreachable.
    if (node.after.some((parent) => !ids.has(parent))) continue;
    const broken = node.after.filter((parent) => ids.has(parent) && parent !== node.id);
    issues.push({
      path: `${path}[${node.index}]`,
      message: `step "${node.id}" is unreachable: it waits on ${broken.length > 0 ? broken.map((id) => `"${id}"`).join(', ') : 'steps that do not exist'}, which never all succeed`,
    });
  }
  return issues;
}

/** The graph of a validated `steps` list in graph form. */
export function graphOf(steps: readonly GraphStepConfig[]): WorkflowGraph {
  const graphSteps = steps.map((step, index) => ({
    id: step.id,
    worker: step.worker,
    after: [...(step.after ?? [])],
    index,
  }));
  const parents = new Set(graphSteps.flatMap((step) => step.after));
  return {
    steps: graphSteps,
    sinks: graphSteps.filter((s) => !parents.has(s.id)).map((s) => s.id),
  };
}
