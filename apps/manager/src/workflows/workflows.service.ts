import { Injectable } from '@nestjs/common';
import {
  graphOf,
  isGraphSteps,
  type GraphStepConfig,
  type Route,
  type WorkflowGraph,
} from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { stepsOf } from './workflow-steps';

/** A content type's route, flattened for callers (intake, REST). */
export interface RoutePlan {
  readonly workflow: string | null;
  readonly steps: readonly string[];
  /** The workflow's graph when it is written as one (design 5.4); undefined for a chain. */
  readonly graph: WorkflowGraph | undefined;
  readonly route: Route;
}

/** Resolves content types to the steps that process them, from the configuration in effect. */
@Injectable()
export class WorkflowsService {
  private graphs = new Map<string, WorkflowGraph>();
  private graphsVersion: number | undefined;

  constructor(private readonly config: ConfigService) {}

  plan(contentType: string): RoutePlan | undefined {
    const route = this.config.route(contentType);
    if (!route) return undefined;
    return {
      workflow: route.kind === 'workflow' ? route.workflow : null,
      steps: stepsOf(route),
      graph: route.kind === 'workflow' ? route.graph : undefined,
      route,
    };
  }

  /**
   * The graph of a workflow by its type, from the configuration in effect; undefined when the
   * workflow is a chain or no longer exists.
   */
  graph(workflow: string): WorkflowGraph | undefined {
    const version = this.config.version();
    if (version !== this.graphsVersion) {
      this.graphs = new Map(
        this.config
          .current()
          .workflows.filter((entry) => isGraphSteps(entry.steps))
          .map((entry) => [entry.type, graphOf(entry.steps as GraphStepConfig[])]),
      );
      this.graphsVersion = version;
    }
    return this.graphs.get(workflow);
  }
}
