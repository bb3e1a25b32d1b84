import { Injectable, Logger } from '@nestjs/common';
import { TERMINAL_REQUEST_STATES, type WorkflowGraph } from '@org/protocol';
import { type Tx } from '../database/database.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { EngineContextFactory } from './engine-context.factory';
import { type Effects } from './engine/effects';
import { outputsNeeded, settleGraph, type NewStepRow, type StepOutput } from './engine/graph';
import { isCoordinator, isStepRow } from './engine/graph-rows';
import { RowChange } from './engine/row-change';
import { GraphStepsRepository } from './store/graph-steps.repository';
import { RequestsRepository } from './store/requests.repository';

/**
 * Carries a batch's decisions through the graphs they touch (design 5.4), inside the batch's
 * transaction, before its rows are written: a step that ended, a graph request created, retried
 * or cancelled. It locks each such request's row (unless the batch holds it), then its step rows
 * (always in that order, like the outcomes service), reads the outputs later steps take, and lets
 * the engine decide (`settleGraph`). Terminal events of single steps never reach requesters.
 */
@Injectable()
export class GraphRunner {
  private readonly logger = new Logger('GraphRunner');

  constructor(
    private readonly requests: RequestsRepository,
    private readonly steps: GraphStepsRepository,
    private readonly workflows: WorkflowsService,
    private readonly contexts: EngineContextFactory,
  ) {}

  /**
   * Settles the graphs touched by `changes` and `effects.graphs`; returns the further row
   * changes to write (rows not in `changes`) and inserts the rows of steps that became ready.
   */
  async settle(tx: Tx, changes: readonly RowChange[], effects: Effects): Promise<RowChange[]> {
    dropStepTerminalEvents(effects);
    const ids = new Set(effects.graphs);
    for (const change of changes) {
      if (change.write === 'none') continue;
      if (isCoordinator(change.row)) ids.add(change.row.id);
      else if (
        isStepRow(change.row) &&
        TERMINAL_REQUEST_STATES.includes(change.row.state) &&
        change.before !== change.row.state
      )
        ids.add(change.row.graph_of!);
    }
    if (ids.size === 0) return [];
    const byId = new Map(changes.map((change) => [change.row.id, change]));
    const extra: RowChange[] = [];
    const changeOf = (row: { id: string }, load: () => RowChange): RowChange => {
      const known = byId.get(row.id);
      if (known) return known;
      const change = load();
      byId.set(row.id, change);
      extra.push(change);
      return change;
    };
    const missing = [...ids].filter((id) => !byId.has(id));
    for (const row of await this.requests.lock(tx, missing))
      changeOf(row, () => new RowChange(row));
    const stepRows = await this.steps.lockSteps(tx, [...ids]);
    const stepsOf = new Map<string, Map<string, RowChange>>();
    for (const row of stepRows) {
      const change = changeOf(row, () => new RowChange(row));
      const siblings = stepsOf.get(row.graph_of!) ?? new Map<string, RowChange>();
      siblings.set(change.row.step_id ?? '', change);
      stepsOf.set(row.graph_of!, siblings);
    }
    const graphs = new Map<string, { coordinator: RowChange; graph: WorkflowGraph }>();
    for (const id of ids) {
      const coordinator = byId.get(id);
      if (!coordinator || !isCoordinator(coordinator.row)) continue;
      const graph = coordinator.row.workflow
        ? this.workflows.graph(coordinator.row.workflow)
        : undefined;
      if (graph) graphs.set(id, { coordinator, graph });
      else
        this.logger.warn(
          `graph request ${id}: workflow "${coordinator.row.workflow ?? ''}" is no longer a graph in the configuration; its steps are left as they are`,
        );
    }
    const outputs = await this.outputsOf(tx, stepsOf, graphs);
    const context = this.contexts.context();
    const created: NewStepRow[] = [];
    for (const [id, { coordinator, graph }] of graphs) {
      created.push(
        ...settleGraph(
          {
            coordinator,
            graph,
            steps: stepsOf.get(id) ?? new Map(),
            outputs: outputs.get(id) ?? new Map(),
          },
          context,
          effects,
        ),
      );
    }
    dropStepTerminalEvents(effects);
    await this.steps.insert(tx, created);
    return extra.filter((change) => change.write !== 'none');
  }

  /**
   * The outputs settling needs of each request ({@link outputsNeeded}), by step id: from this
   * batch's decisions when a step succeeded in it (not written yet), else as stored.
   */
  private async outputsOf(
    tx: Tx,
    stepsOf: ReadonlyMap<string, ReadonlyMap<string, RowChange>>,
    graphs: ReadonlyMap<string, { readonly graph: WorkflowGraph }>,
  ): Promise<Map<string, Map<string, StepOutput>>> {
    const stored: string[] = [];
    const result = new Map<string, Map<string, StepOutput>>();
    for (const [id, steps] of stepsOf) {
      const outputs = new Map<string, StepOutput>();
      result.set(id, outputs);
      const graph = graphs.get(id)?.graph;
      if (!graph) continue;
      const states = new Map([...steps].map(([stepId, change]) => [stepId, change.row.state]));
      for (const stepId of outputsNeeded(graph, states)) {
        const change = steps.get(stepId);
        if (!change || change.row.state !== 'SUCCESS') continue;
        if (change.output) {
          outputs.set(stepId, {
            body: change.output.body,
            contentType: change.output.contentType,
            mimeType: change.output.mimeType,
            meta: change.row.meta,
          });
        } else stored.push(change.row.id);
      }
    }
    const loaded = await this.steps.outputs(tx, stored);
    for (const [id, steps] of stepsOf) {
      for (const [stepId, change] of steps) {
        const output = loaded.get(change.row.id);
        if (output) result.get(id)!.set(stepId, output);
      }
    }
    return result;
  }
}

/** A single step's end is never a request's terminal event: the request's own follows. */
function dropStepTerminalEvents(effects: Effects): void {
  for (let index = effects.terminal.length - 1; index >= 0; index -= 1)
    if (effects.terminal[index]!.graphStep) effects.terminal.splice(index, 1);
}
