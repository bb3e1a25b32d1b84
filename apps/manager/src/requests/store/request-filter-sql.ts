import { type RequestState } from '@org/protocol';
import { type RequestFilter } from '../request-filter';

/** A WHERE clause under construction: conditions and their positional parameters. */
export class SqlConditions {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  /** Adds a parameter and returns its placeholder (`$3`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  where(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }
}

/** The filter's conditions on the requests table (`alias.` prefixed); `withState` false leaves the state out (counts). */
export function filterConditions(
  filter: RequestFilter,
  options: { withState: boolean; alias?: string },
): SqlConditions {
  const sql = new SqlConditions();
  const p = options.alias ? `${options.alias}.` : '';
  // The steps of graph requests are rows too, read through their request (GET …/steps).
  sql.add(`(${p}graph_of IS NULL OR ${p}graph_of = ${p}id)`);
  if (options.withState && filter.state && filter.state.length > 0)
    sql.add(`${p}state = ANY(${sql.param(filter.state)}::text[])`);
  const equal: Array<[keyof RequestFilter, string]> = [
    ['contentType', 'content_type'],
    ['workerType', 'worker_type'],
    ['workflow', 'workflow'],
    ['tenant', 'tenant'],
    ['owner', 'owner'],
    ['session', 'session'],
    ['parentId', 'parent_id'],
    ['priority', 'priority'],
  ];
  for (const [field, column] of equal) {
    const value = filter[field];
    if (typeof value === 'string' || typeof value === 'number')
      sql.add(`${p}${column} = ${sql.param(value)}`);
  }
  if (filter.createdFrom)
    sql.add(`${p}created_at >= ${sql.param(filter.createdFrom)}::timestamptz`);
  if (filter.createdTo) sql.add(`${p}created_at < ${sql.param(filter.createdTo)}::timestamptz`);
  if (filter.payload)
    sql.add(`position(convert_to(${sql.param(filter.payload)}, 'UTF8') in ${p}input) > 0`);
  return sql;
}

/** Restricts to `states` (intersected with the filter's own state list, when it has one). */
export function restrictStates(
  filter: RequestFilter,
  states: readonly RequestState[],
): RequestState[] {
  return filter.state && filter.state.length > 0
    ? filter.state.filter((state) => states.includes(state))
    : [...states];
}

/** True when no filter at all is given (bulk delete refuses that: it would be every eligible request). */
export function isEmptyFilter(filter: RequestFilter): boolean {
  return (
    (filter.state === undefined || filter.state.length === 0) &&
    [
      filter.contentType,
      filter.workerType,
      filter.workflow,
      filter.tenant,
      filter.owner,
      filter.session,
      filter.parentId,
      filter.priority,
      filter.createdFrom,
      filter.createdTo,
      filter.payload,
    ].every((value) => value === undefined)
  );
}
