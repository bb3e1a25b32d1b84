import {
  buildParts,
  OUTSTANDING_REQUEST_STATES,
  PARTS_CONTENT_TYPE,
  TERMINAL_REQUEST_STATES,
  WAITING_REQUEST_STATES,
  type GraphStep,
  type WorkflowGraph,
} from '@org/protocol';
import { admit } from './admit';
import { type EngineContext } from './engine-context';
import { type Effects, eventOf } from './effects';
import { stepRowId } from './graph-rows';
import { cancel, retry } from './operations';
import { type RequestRow } from './request-row';
import { type RowChange } from './row-change';

/** A succeeded step's stored output. */
export interface StepOutput {
  readonly body: Buffer;
  readonly contentType: string;
  readonly mimeType: string | null;
  readonly meta: Readonly<Record<string, string>>;
}

/** A step row to insert: its image and its input (null: the request's own input). */
export interface NewStepRow {
  readonly row: RequestRow;
  readonly input: Buffer | null;
}

/** One graph request as the engine decides it: its row, its graph, its step rows and outputs. */
export interface GraphState {
  readonly coordinator: RowChange;
  readonly graph: WorkflowGraph;
  /** Existing step rows, by step id, in their state after this batch's other decisions. */
  readonly steps: ReadonlyMap<string, RowChange>;
  /** Stored outputs of succeeded steps, by step id. */
  readonly outputs: ReadonlyMap<string, StepOutput>;
}

const FAILED = ['ERROR', 'INVALID_CONTENT', 'CANCELLED'] as const;

/**
 * Everything that follows for one graph request from this batch's decisions (design 5.4):
 * - cancelled: every live step is cancelled (cancel orders for jobs that may run);
 * - retried: failed and cancelled steps wait again;
 * - a step failed: steps not yet dispatched are stopped; once no step is outstanding the
 *   request ends `ERROR` (or `INVALID_CONTENT` when every failure was a refusal), once;
 * - otherwise steps whose parents all succeeded are created (fan-out), a fan-in step with its
 *   parents' outputs as parts; when every sink succeeded the request ends `SUCCESS` with the
 *   sink's output, or the sinks' outputs as parts.
 * Returns the step rows to insert.
 */
export function settleGraph(
  state: GraphState,
  context: EngineContext,
  effects: Effects,
): NewStepRow[] {
  const { coordinator, steps } = state;
  const row = coordinator.row;
  if (coordinator.finished) return [];
  if (row.state === 'CANCELLED') {
    if (coordinator.before !== 'CANCELLED') {
      for (const step of steps.values()) cancel(step, row.messages[0] ?? 'cancelled', effects);
    }
    return [];
  }
  if (row.state !== 'RUNNING') return [];
  if (TERMINAL_REQUEST_STATES.includes(coordinator.before)) {
    for (const step of steps.values())
      if ((FAILED as readonly string[]).includes(step.row.state)) retry(step, context, effects);
  }
  const failed = [...steps.values()].filter((step) =>
    (FAILED as readonly string[]).includes(step.row.state),
  );
  if (failed.length > 0) {
    failGraph(state, failed, context, effects);
    return [];
  }
  const created = readySteps(state).map((step) => newStepRow(state, step, context, effects));
  const succeeded = (id: string) => steps.get(id)?.row.state === 'SUCCESS';
  if (state.graph.sinks.every(succeeded)) succeedGraph(state, context, effects);
  return created;
}

/**
 * The steps whose stored outputs settling may read: the parents of steps ready to be created,
 * and the sinks once they all succeeded. Other outputs stay in the database.
 */
export function outputsNeeded(
  graph: WorkflowGraph,
  states: ReadonlyMap<string, RequestRow['state']>,
): string[] {
  const succeeded = (id: string) => states.get(id) === 'SUCCESS';
  const needed = new Set<string>();
  for (const step of graph.steps)
    if (!states.has(step.id) && step.after.every(succeeded))
      for (const parent of step.after) needed.add(parent);
  if (graph.sinks.every(succeeded)) for (const sink of graph.sinks) needed.add(sink);
  return [...needed];
}

/** Steps with no row yet whose parents all succeeded. */
function readySteps(state: GraphState): GraphStep[] {
  return state.graph.steps.filter(
    (step) =>
      !state.steps.has(step.id) &&
      step.after.every((parent) => state.steps.get(parent)?.row.state === 'SUCCESS'),
  );
}

function failGraph(
  state: GraphState,
  failed: readonly RowChange[],
  context: EngineContext,
  effects: Effects,
): void {
  const { coordinator } = state;
  // Steps that failed by themselves, in declared order; stopped ones (CANCELLED) only when no
  // other is left to blame.
  const byIndex = [...failed].sort((a, b) => a.row.step - b.row.step);
  const own = byIndex.filter((step) => step.row.state !== 'CANCELLED');
  const blamed = own.length > 0 ? own : byIndex;
  const first = blamed[0]!.row;
  for (const step of state.steps.values()) {
    if (WAITING_REQUEST_STATES.includes(step.row.state))
      cancel(step, `not started: step "${first.step_id ?? ''}" failed`, effects);
  }
  const outstanding = [...state.steps.values()].some((step) =>
    OUTSTANDING_REQUEST_STATES.includes(step.row.state),
  );
  if (outstanding) return;
  const refusedOnly = blamed.every((step) => step.row.state === 'INVALID_CONTENT');
  const ended = refusedOnly ? 'INVALID_CONTENT' : 'ERROR';
  const row = coordinator.row;
  coordinator.move(ended);
  // The request's step is the one that failed (wm-step of its terminal event).
  row.step = first.step;
  row.messages = blamed.flatMap((step) =>
    (step.row.messages.length > 0 ? step.row.messages : [step.row.state]).map(
      (message) => `step "${step.row.step_id ?? ''}" (${step.row.worker_type}): ${message}`,
    ),
  );
  effects.terminal.push(eventOf(row, ended, { workerType: first.worker_type }));
  if (!context.failurePolicy(row).keepErrors) coordinator.finish();
}

function succeedGraph(state: GraphState, context: EngineContext, effects: Effects): void {
  const { coordinator, graph, outputs } = state;
  const row = coordinator.row;
  const sinks = graph.sinks.map((id) => ({ id, output: outputs.get(id) }));
  const missing = sinks.find((sink) => sink.output === undefined);
  if (missing) throw new Error(`graph ${row.id}: the output of step "${missing.id}" is not loaded`);
  const only = sinks.length === 1 ? sinks[0]!.output! : undefined;
  const result: StepOutput = only ?? {
    body: buildParts(
      sinks.map(({ id, output }) => ({
        stepId: id,
        contentType: output!.contentType,
        mimeType: output!.mimeType ?? undefined,
        meta: output!.meta,
        body: output!.body,
      })),
    ),
    contentType: row.content_type,
    mimeType: PARTS_CONTENT_TYPE,
    meta: Object.assign({}, ...sinks.map((sink) => sink.output!.meta)) as Record<string, string>,
  };
  coordinator.move('SUCCESS');
  // One sink: the request's step is the sink (wm-step and worker type of its SUCCESS event).
  const sink =
    sinks.length === 1 ? graph.steps.find((step) => step.id === sinks[0]!.id) : undefined;
  if (sink) row.step = sink.index;
  row.meta = { ...result.meta };
  row.messages = [];
  effects.terminal.push(
    eventOf(row, 'SUCCESS', {
      contentType: result.contentType,
      mimeType: result.mimeType ?? undefined,
      body: result.body,
      meta: row.meta,
      messages: [],
      workerType: sink?.worker,
    }),
  );
  if (context.failurePolicy(row).keepSuccess) {
    coordinator.output = {
      body: result.body,
      contentType: result.contentType,
      mimeType: result.mimeType,
    };
  } else {
    coordinator.finish();
  }
}

/** The row of a step that became ready, admitted to wait for its worker type. */
function newStepRow(
  state: GraphState,
  step: GraphStep,
  context: EngineContext,
  effects: Effects,
): NewStepRow {
  const request = state.coordinator.row;
  const parents = step.after.map((id) => ({ id, output: state.outputs.get(id) }));
  for (const parent of parents)
    if (!parent.output)
      throw new Error(`graph ${request.id}: the output of step "${parent.id}" is not loaded`);
  const single = parents.length === 1 ? parents[0]!.output! : undefined;
  const input: Omit<StepOutput, 'body'> & { body: Buffer | null } =
    parents.length === 0
      ? {
          body: null,
          contentType: request.content_type,
          mimeType: request.input_mime,
          meta: {},
        }
      : (single ?? {
          body: buildParts(
            parents.map(({ id, output }) => ({
              stepId: id,
              contentType: output!.contentType,
              mimeType: output!.mimeType ?? undefined,
              meta: output!.meta,
              body: output!.body,
            })),
          ),
          contentType: request.content_type,
          mimeType: PARTS_CONTENT_TYPE,
          meta: Object.assign({}, ...parents.map((parent) => parent.output!.meta)) as Record<
            string,
            string
          >,
        });
  const row: RequestRow = {
    ...request,
    id: stepRowId(request.id, step.index),
    graph_of: request.id,
    step_id: step.id,
    step: step.index,
    worker_type: step.worker,
    state: 'QUEUED',
    attempt: 0,
    cycle_attempts: 0,
    input_content_type: input.contentType,
    input_mime: input.mimeType,
    meta: { ...input.meta },
    messages: [],
    worker_id: null,
    timeout_ms: context.stepTimeoutMs?.(request.workflow, step.worker) ?? request.timeout_ms,
    // A root takes the request's schedule and deadline; later steps start when ready.
    not_before: step.after.length === 0 ? request.not_before : null,
    start_by: step.after.length === 0 ? request.start_by : null,
    fair_key: null,
  };
  admit(row, context, effects);
  return { row, input: input.body };
}
