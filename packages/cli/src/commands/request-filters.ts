import { type Query } from '../client/api-client';

/** The listing filters, as flags of `wm list`, `wm retry|delete|cancel` and `wm watch`. */
export interface FilterFlags {
  readonly state?: string[];
  readonly contentType?: string;
  readonly workerType?: string;
  readonly workflow?: string;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  readonly parent?: string;
  readonly createdFrom?: string;
  readonly createdTo?: string;
}

/** The REST query of the flags given (the manager validates them and names any bad one). */
export function filterQuery(flags: FilterFlags): Query {
  return {
    state: flags.state,
    contentType: flags.contentType,
    workerType: flags.workerType,
    workflow: flags.workflow,
    tenant: flags.tenant,
    owner: flags.owner,
    session: flags.session,
    parentId: flags.parent,
    createdFrom: flags.createdFrom,
    createdTo: flags.createdTo,
  };
}

export function hasFilter(flags: FilterFlags): boolean {
  return Object.values(filterQuery(flags)).some((value) => value !== undefined);
}

/** Commander collector: `--state ERROR --state CANCELLED` and `--state ERROR,CANCELLED`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ];
}
