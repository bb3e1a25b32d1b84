import { Injectable } from '@nestjs/common';
import { type Route } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { stepsOf } from './workflow-steps';

/** A content type's route, flattened for callers (intake, REST). */
export interface RoutePlan {
  readonly workflow: string | null;
  readonly steps: readonly string[];
  readonly route: Route;
}

/** Resolves content types to the steps that process them, from the configuration in effect. */
@Injectable()
export class WorkflowsService {
  constructor(private readonly config: ConfigService) {}

  plan(contentType: string): RoutePlan | undefined {
    const route = this.config.route(contentType);
    if (!route) return undefined;
    return {
      workflow: route.kind === 'workflow' ? route.workflow : null,
      steps: stepsOf(route),
      route,
    };
  }
}
