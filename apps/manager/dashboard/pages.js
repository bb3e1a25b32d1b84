// The overview, request detail, workers, configuration, audit and sign-in pages.
import {
  api,
  h,
  replace,
  svg,
  session,
  link,
  stateBadge,
  formatTime,
  formatDuration,
  formatBytes,
  notice,
  errorText,
} from './dom.js';
import { confirmDialog } from './requests-page.js';

const ERROR_STATES = ['ERROR', 'INVALID_CONTENT'];
const WAITING_STATES = ['NO_WORKER_AVAILABLE', 'QUEUED', 'SCHEDULED'];

/** Runs `load` now and on every refresh, showing its error in place of the page. */
function page(main, title, load) {
  const body = h('div', { class: 'page-body' });
  replace(main, h('h1', {}, title), body);
  const refresh = async () => {
    try {
      await load(body);
    } catch (error) {
      if (error?.name !== 'AbortError') replace(body, notice(errorText(error), 'error'));
    }
  };
  void refresh();
  return { refresh };
}

const query = (entries) => `/dashboard/requests?${new URLSearchParams(entries)}`;

export function overviewPage(main) {
  return page(main, 'Overview', async (body) => {
    const overview = await api('overview', { key: 'overview' });
    const byState = Object.entries(overview.counts.byState);
    const errorGroups = overview.groups.filter((group) => ERROR_STATES.includes(group.state));
    replace(
      body,
      h('p', {}, `${overview.counts.total} requests in all, as of ${formatTime(overview.at)}.`),
      h(
        'section',
        { 'aria-labelledby': 'by-state' },
        h('h2', { id: 'by-state' }, 'By state'),
        h(
          'ul',
          { class: 'tiles', id: 'state-counts' },
          byState.map(([state, count]) =>
            h(
              'li',
              {
                class: `tile${count > 0 && (ERROR_STATES.includes(state) || WAITING_STATES.includes(state)) ? ' highlight' : ''}`,
                'data-state': state,
              },
              link(
                query({ state }),
                stateBadge(state),
                h('span', { class: 'count' }, String(count)),
              ),
            ),
          ),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'waiting' },
        h('h2', { id: 'waiting' }, 'Waiting backlog'),
        table(
          ['Worker type', 'No worker', 'Queued', 'Scheduled', 'Oldest wait'],
          overview.waiting
            .filter((wait) => wait.total > 0)
            .map((wait) => [
              link(
                query({ workerType: wait.workerType, state: WAITING_STATES.join(',') }),
                wait.workerType,
              ),
              String(wait.noWorkerAvailable),
              String(wait.queued),
              String(wait.scheduled),
              h('strong', {}, formatDuration(wait.oldestWaitSeconds * 1000)),
            ]),
          'Nothing waits.',
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'errors' },
        h('h2', { id: 'errors' }, 'Error backlog'),
        table(
          ['Worker type', 'Workflow', 'State', 'Count', 'Oldest since'],
          errorGroups.map((group) => [
            link(
              query({
                workerType: group.workerType,
                state: group.state,
                ...(group.workflow ? { workflow: group.workflow } : {}),
              }),
              group.workerType,
            ),
            group.workflow ?? '—',
            stateBadge(group.state),
            String(group.count),
            formatTime(group.oldestSince),
          ]),
          'No failed request.',
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'by-type' },
        h('h2', { id: 'by-type' }, 'By worker type and workflow'),
        table(
          ['Worker type', 'Workflow', 'State', 'Count'],
          overview.groups.map((group) => [
            link(query({ workerType: group.workerType }), group.workerType),
            group.workflow ? link(query({ workflow: group.workflow }), group.workflow) : '—',
            link(
              query({ workerType: group.workerType, state: group.state }),
              stateBadge(group.state),
            ),
            h(
              'span',
              { 'data-count': `${group.workerType}|${group.workflow ?? ''}|${group.state}` },
              String(group.count),
            ),
          ]),
          'No request yet.',
          'groups',
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'charts' },
        h('h2', { id: 'charts' }, 'Last hour, per minute'),
        overview.minutes.length === 0 ? h('p', {}, 'Nothing finished in the last hour.') : null,
        h(
          'div',
          { class: 'charts' },
          [...new Set(overview.minutes.map((minute) => minute.workerType))].map((type) =>
            charts(
              type,
              overview.minutes.filter((minute) => minute.workerType === type),
              overview.at,
            ),
          ),
        ),
      ),
    );
  });
}

/** Three small charts of a type's last hour: finished, failed, p50/p95 duration. */
function charts(type, minutes, at) {
  const end = Math.floor(Date.parse(at) / 60_000);
  const series = (pick) => {
    const values = new Array(60).fill(null);
    for (const minute of minutes) {
      const index = 59 - (end - Math.floor(Date.parse(minute.minute) / 60_000));
      if (index >= 0 && index < 60) values[index] = pick(minute);
    }
    return values;
  };
  const succeeded = series((m) => m.succeeded);
  const failed = series((m) => m.failed);
  const p50 = series((m) => m.p50Ms);
  const p95 = series((m) => m.p95Ms);
  const total = (values) => values.reduce((sum, value) => sum + (value ?? 0), 0);
  return h(
    'figure',
    { class: 'chart-group', 'data-type': type },
    h(
      'figcaption',
      {},
      h('strong', {}, type),
      ` — ${total(succeeded)} succeeded, ${total(failed)} failed in the last hour`,
    ),
    chart('Throughput (succeeded per minute)', [
      { values: succeeded, kind: 'bar', label: 'succeeded' },
    ]),
    chart('Failures per minute', [
      { values: failed, kind: 'bar', label: 'failed', class: 'failed' },
    ]),
    chart('Duration p50 / p95 (ms)', [
      { values: p50, kind: 'line', label: 'p50' },
      { values: p95, kind: 'line', label: 'p95', class: 'p95' },
    ]),
  );
}

function chart(title, lines) {
  const width = 240;
  const height = 60;
  const max = Math.max(1, ...lines.flatMap((line) => line.values.map((value) => value ?? 0)));
  const x = (index) => (index / 59) * (width - 4) + 2;
  const y = (value) => height - 2 - (value / max) * (height - 4);
  const shapes = lines.flatMap((line) =>
    line.kind === 'bar'
      ? line.values
          .map((value, index) =>
            value
              ? svg('rect', {
                  x: x(index) - 1.5,
                  y: y(value),
                  width: 3,
                  height: height - 2 - y(value),
                  class: `bar ${line.class ?? ''}`,
                })
              : null,
          )
          .filter(Boolean)
      : [
          svg('polyline', {
            class: `line ${line.class ?? ''}`,
            fill: 'none',
            points: line.values
              .map((value, index) => (value === null ? null : `${x(index)},${y(value)}`))
              .filter(Boolean)
              .join(' '),
          }),
        ],
  );
  const summary = lines
    .map((line) => `${line.label} max ${Math.max(0, ...line.values.map((v) => v ?? 0))}`)
    .join(', ');
  return h(
    'div',
    { class: 'chart' },
    h('span', { class: 'chart-title' }, title),
    svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}: ${summary}` },
      svg('title', {}, `${title}: ${summary}`),
      ...shapes,
    ),
    h('span', { class: 'chart-legend' }, summary),
  );
}

/** A table from rows of cells (nodes or strings). */
function table(headers, rows, empty, id) {
  if (rows.length === 0) return h('p', {}, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell) => h('td', {}, cell)),
          ),
        ),
      ),
    ),
  );
}

function definitions(entries) {
  return h(
    'dl',
    { class: 'meta' },
    entries
      .filter(([, value]) => value !== null && value !== undefined && value !== '')
      .flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

export function detailPage(main, id, navigate) {
  const status = h('div', { id: 'action-status', 'aria-live': 'polite' });
  return page(main, `Request ${id}`, async (body) => {
    const { request, input, children, moreChildren, parent, graph } = await api(
      `requests/${encodeURIComponent(id)}`,
      { key: 'detail' },
    );
    const failed = ERROR_STATES.includes(request.state);
    const operate = session.role === 'operate';
    const actionButton = (action) => {
      const allowed = (session.actionStates[action] ?? []).includes(request.state);
      return h(
        'button',
        {
          type: 'button',
          disabled: !operate || !allowed,
          title: allowed ? null : `not possible in state ${request.state}`,
          onclick: async () => {
            if (
              !(await confirmDialog(
                `${action[0].toUpperCase()}${action.slice(1)} request ${id}?`,
                action,
              ))
            )
              return;
            try {
              const result = await api(`actions/${action}`, {
                method: 'POST',
                body: { scope: 'ids', ids: [id] },
              });
              replace(
                status,
                notice(
                  result.count === 1
                    ? `Request ${action === 'retry' ? 'retried' : action === 'cancel' ? 'cancelled' : 'deleted'}.`
                    : `Nothing done: the request's state no longer allows it.`,
                  result.count === 1 ? 'success' : 'error',
                ),
              );
              if (action === 'delete' && result.count === 1) navigate('/dashboard/requests');
            } catch (error) {
              replace(status, notice(errorText(error), 'error'));
            }
          },
        },
        `${action[0].toUpperCase()}${action.slice(1)}`,
      );
    };
    const encoded = encodeURIComponent(id);
    replace(
      body,
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': 'Actions' },
        ['retry', 'cancel', 'delete'].map(actionButton),
      ),
      status,
      h(
        'p',
        { class: 'current-state' },
        'State: ',
        stateBadge(request.state),
        request.waitingReason ? ` — ${request.waitingReason}` : '',
      ),
      definitions([
        ['Content type', request.contentType],
        ['Worker type', request.workerType],
        ['Workflow', request.workflow],
        ['Attempt', String(request.attempt)],
        ['Priority', String(request.priority)],
        ['Tenant', request.tenant],
        ['Owner', request.owner],
        ['Session', request.session],
        ['Worker instance', request.workerId],
        ['Correlation id', request.correlationId],
        ['Reply to', request.replyTo],
        ['Trace', request.traceparent],
        ['Created', formatTime(request.createdAt)],
        ['Updated', formatTime(request.updatedAt)],
        ['Dispatched', request.dispatchedAt && formatTime(request.dispatchedAt)],
        ['Finished', request.finishedAt && formatTime(request.finishedAt)],
        ['Deadline', request.deadline && formatTime(request.deadline)],
        ['Not before', request.notBefore && formatTime(request.notBefore)],
        [
          'Parent',
          parent
            ? h(
                'span',
                {},
                link(`/dashboard/requests/${encodeURIComponent(parent.id)}`, parent.id),
                ' ',
                stateBadge(parent.state),
              )
            : request.parentId,
        ],
      ]),
      request.messages.length > 0
        ? h(
            'section',
            {},
            h('h2', {}, 'Messages'),
            h(
              'ul',
              { id: 'messages' },
              request.messages.map((message) => h('li', {}, message)),
            ),
          )
        : null,
      h(
        'section',
        { 'aria-labelledby': 'steps' },
        h('h2', { id: 'steps' }, request.workflow ? `Workflow ${request.workflow}` : 'Step'),
        graph
          ? graphSteps(graph)
          : h(
              'ol',
              { class: 'steps', id: 'workflow-steps' },
              request.steps.map((step, index) => {
                const mark =
                  index < request.step
                    ? 'done'
                    : index > request.step
                      ? 'pending'
                      : failed
                        ? 'failed'
                        : request.state === 'SUCCESS'
                          ? 'done'
                          : 'current';
                const label = {
                  done: '✓ done',
                  pending: '· not reached',
                  failed: '✗ failed here',
                  current: '▶ current',
                }[mark];
                return h(
                  'li',
                  { class: `step step-${mark}`, 'data-mark': mark },
                  h('strong', {}, step),
                  ` ${label}`,
                );
              }),
            ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'payload' },
        h('h2', { id: 'payload' }, 'Input of the current step'),
        input === null
          ? h('p', {}, 'No payload kept.')
          : input.kind === 'binary'
            ? h(
                'p',
                {},
                `${formatBytes(input.bytes)} of binary data; first bytes: `,
                h('code', { id: 'hex-head' }, input.hexHead),
              )
            : h(
                'pre',
                { id: 'payload-preview', tabindex: 0 },
                input.text,
                input.truncated ? '\n…' : '',
              ),
        h(
          'p',
          {},
          h(
            'a',
            { href: `/dashboard/api/requests/${encoded}/input`, download: true },
            `Download input (${formatBytes(input?.bytes ?? request.inputBytes)})`,
          ),
          request.outputBytes !== null
            ? [
                ' · ',
                h(
                  'a',
                  { href: `/dashboard/api/requests/${encoded}/output`, download: true },
                  `Download output (${formatBytes(request.outputBytes)})`,
                ),
              ]
            : null,
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'history' },
        h('h2', { id: 'history' }, 'State history'),
        table(
          ['At', 'State', 'Step', 'Attempt', 'Worker type', 'Worker', 'Messages'],
          request.history.map((entry) => [
            formatTime(entry.at),
            stateBadge(entry.state),
            String(entry.step + 1),
            String(entry.attempt),
            entry.workerType,
            entry.workerId ?? '—',
            entry.messages.join('; '),
          ]),
          'No history.',
          'history-table',
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'children' },
        h('h2', { id: 'children' }, 'Children'),
        children.length === 0
          ? h('p', {}, 'None.')
          : h(
              'ul',
              {},
              children.map((child) =>
                h(
                  'li',
                  {},
                  link(`/dashboard/requests/${encodeURIComponent(child.id)}`, child.id),
                  ' ',
                  stateBadge(child.state),
                ),
              ),
            ),
        moreChildren ? link(query({ parentId: id }), 'All children') : null,
      ),
    );
  });
}

/** A graph request's steps: each declared step with what it waits for and how it went. */
function graphSteps(graph) {
  const byId = new Map(graph.steps.map((step) => [step.stepId, step]));
  const label = { SUCCESS: '✓ done', ERROR: '✗ failed', INVALID_CONTENT: '✗ refused' };
  return table(
    ['Step', 'Worker type', 'After', 'State', 'Attempt', 'Worker', 'Messages'],
    graph.edges.map((edge) => {
      const step = byId.get(edge.id);
      const mark = !step
        ? 'pending'
        : ERROR_STATES.includes(step.state)
          ? 'failed'
          : step.state === 'SUCCESS'
            ? 'done'
            : 'current';
      return [
        h(
          'span',
          { class: `step step-${mark}`, 'data-step': edge.id, 'data-mark': mark },
          h('strong', {}, edge.id),
          ` ${label[step?.state] ?? (step ? '▶' : '· not reached')}`,
        ),
        edge.worker,
        edge.after.length > 0 ? edge.after.join(', ') : '— (a root)',
        step ? stateBadge(step.state) : '—',
        step ? String(step.attempt) : '—',
        step?.workerId ?? '—',
        step ? step.messages.join('; ') : '',
      ];
    }),
    'No step yet.',
    'graph-steps',
  );
}

export function workersPage(main) {
  const status = h('div', { id: 'action-status', 'aria-live': 'polite' });
  let body;
  const act = async (path, what) => {
    try {
      await api(path, { method: 'POST' });
      replace(status, notice(`${what}: sent.`, 'success'));
      await view.refresh();
    } catch (error) {
      replace(status, notice(`${what}: ${errorText(error)}`, 'error'));
    }
  };
  // One button: Resume while the type is paused, Pause otherwise.
  const pauseToggle = (type, operate) => {
    const verb = type.pause.paused ? 'resume' : 'pause';
    const label = `${type.pause.paused ? 'Resume' : 'Pause'} ${type.type}`;
    return h(
      'button',
      {
        type: 'button',
        disabled: !operate,
        onclick: () => act(`workers/${encodeURIComponent(type.type)}/${verb}`, label),
      },
      label,
    );
  };
  const view = page(main, 'Workers', async (target) => {
    body = target;
    const { types, staleAfterMs } = await api('workers', { key: 'workers' });
    const operate = session.role === 'operate';
    replace(
      body,
      status,
      h(
        'p',
        {},
        `An instance is stale once silent for ${formatDuration(staleAfterMs)} (the heartbeat expiry), so one late heartbeat never flips it.`,
      ),
      types.length === 0 ? h('p', {}, 'No worker type is configured or has registered.') : null,
      types.map((type) =>
        h(
          'section',
          { class: 'worker-type', 'data-type': type.type, 'aria-labelledby': `type-${type.type}` },
          h(
            'h2',
            { id: `type-${type.type}` },
            type.type,
            ' ',
            h(
              'span',
              { class: `badge ${type.available ? 'ok' : 'warn'}` },
              type.available ? `${type.liveInstances} ready` : 'no worker available',
            ),
            type.pause?.paused ? h('span', { class: 'badge warn' }, 'paused') : null,
          ),
          h('p', {}, type.registration?.description ?? 'No registration yet.'),
          definitions([
            ['Content types', type.contentTypes.join(', ')],
            ['Workflows', type.workflows.join(', ')],
            ['Capacity', String(type.capacity)],
            [
              'Waiting',
              type.waiting > 0
                ? link(
                    query({ workerType: type.type, state: WAITING_STATES.join(',') }),
                    `${type.waiting} (oldest ${formatDuration((type.oldestWaitSeconds ?? 0) * 1000)})`,
                  )
                : '0',
            ],
            ['Processed / failed', `${type.stats.processed} / ${type.stats.failed}`],
            ['Average duration', formatDuration(type.stats.avgDurationMs)],
          ]),
          type.configured && type.pause
            ? h('div', { class: 'actions' }, pauseToggle(type, operate))
            : null,
          type.registration?.schema
            ? h(
                'details',
                {},
                h('summary', {}, 'Payload schema'),
                h('pre', {}, JSON.stringify(type.registration.schema, null, 2)),
              )
            : null,
          table(
            [
              'Instance',
              'Status',
              'Version',
              'Host',
              'Concurrency',
              'In flight',
              'Processed',
              'Failed',
              'Avg duration',
              'CPU',
              'Memory',
              'Last heartbeat',
              '',
            ],
            type.instances.map((instance) => {
              const shown = type.instanceStatus[instance.id] ?? {
                status: instance.status,
                heartbeatAgeMs: 0,
              };
              return [
                instance.id,
                h(
                  'span',
                  { class: `badge instance-${shown.status}`, 'data-instance': instance.id },
                  shown.status,
                ),
                instance.version ?? '—',
                instance.host ?? '—',
                String(instance.concurrency ?? '—'),
                String(instance.inFlight ?? 0),
                String(instance.processed ?? 0),
                String(instance.failed ?? 0),
                formatDuration(instance.avgDurationMs),
                instance.cpu !== undefined && instance.cpu !== null
                  ? `${Math.round(instance.cpu)} %`
                  : '—',
                formatBytes(instance.rssBytes),
                `${formatDuration(shown.heartbeatAgeMs)} ago`,
                shown.status === 'draining'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        disabled: !operate,
                        onclick: () =>
                          act(
                            `workers/${encodeURIComponent(type.type)}/instances/${encodeURIComponent(instance.id)}/resume`,
                            `Resume ${instance.id}`,
                          ),
                      },
                      'Resume',
                    )
                  : h(
                      'button',
                      {
                        type: 'button',
                        disabled: !operate || shown.status === 'stale',
                        onclick: () =>
                          act(
                            `workers/${encodeURIComponent(type.type)}/instances/${encodeURIComponent(instance.id)}/drain`,
                            `Drain ${instance.id}`,
                          ),
                      },
                      'Drain',
                    ),
              ];
            }),
            'No instance running.',
            `instances-${type.type}`,
          ),
        ),
      ),
    );
  });
  return view;
}

export function auditPage(main) {
  return page(main, 'Audit log', async (body) => {
    const { items } = await api('audit', { key: 'audit', query: [['limit', '100']] });
    replace(
      body,
      h(
        'p',
        {},
        'Every action taken through the dashboard, newest first. Also at GET /api/v1/audit.',
      ),
      table(
        ['When', 'Who', 'Action', 'Target', 'Applied', 'Skipped', 'Outcome'],
        items.map((entry) => [
          formatTime(entry.at),
          entry.actor,
          entry.action,
          h('code', {}, JSON.stringify(entry.target)),
          entry.count === null ? '—' : String(entry.count),
          entry.skipped === null ? '—' : String(entry.skipped),
          entry.outcome,
        ]),
        'No action yet.',
        'audit-table',
      ),
    );
  });
}

export function configurationPage(main) {
  // The import's state survives live refreshes: only the parts above it are redrawn.
  const editor = h('textarea', {
    id: 'config-document',
    rows: 16,
    spellcheck: 'false',
    'aria-describedby': 'config-help',
  });
  const previewBox = h('div', { id: 'config-preview', 'aria-live': 'polite' });
  const applyButton = h(
    'button',
    { type: 'button', disabled: true, onclick: () => void apply() },
    'Apply',
  );
  let previewedVersion = null;
  let loadedYaml = null;
  const preview = async () => {
    applyButton.disabled = true;
    try {
      const answer = await api('config/preview', {
        method: 'POST',
        body: { document: editor.value },
      });
      if (!answer.ok) {
        replace(
          previewBox,
          h('p', { role: 'alert' }, `${answer.issues.length} problem(s); nothing would change:`),
          h(
            'ul',
            { id: 'config-issues' },
            answer.issues.map((issue) =>
              h('li', {}, h('code', {}, issue.path), `: ${issue.message}`),
            ),
          ),
        );
        return;
      }
      previewedVersion = current.version;
      replace(
        previewBox,
        h(
          'p',
          {},
          answer.changed
            ? `Changes against version ${current.version} (− removed, + added):`
            : 'Identical to the configuration in effect.',
        ),
        h(
          'pre',
          { id: 'config-diff', class: 'diff' },
          answer.diff
            .filter(
              (line, index, all) =>
                line.kind !== ' ' ||
                all.slice(Math.max(0, index - 2), index + 3).some((near) => near.kind !== ' '),
            )
            .map((line) =>
              h(
                'span',
                {
                  class: `diff-line diff-${line.kind === '+' ? 'add' : line.kind === '-' ? 'del' : 'same'}`,
                },
                `${line.kind} ${line.text}\n`,
              ),
            ),
        ),
      );
      applyButton.disabled = session.role !== 'operate' || !answer.changed;
    } catch (error) {
      replace(previewBox, notice(errorText(error), 'error'));
    }
  };
  const apply = async () => {
    applyButton.disabled = true;
    try {
      const answer = await api('config/import', {
        method: 'POST',
        body: { document: editor.value, version: previewedVersion },
      });
      replace(
        previewBox,
        notice(`Applied: the configuration is now version ${answer.version}.`, 'success'),
      );
      await view.refresh();
    } catch (error) {
      replace(previewBox, notice(errorText(error), 'error'));
    }
  };
  let current = { version: null };
  const view = page(main, 'Configuration', async (body) => {
    const [overview, config] = await Promise.all([
      api('overview', { key: 'overview' }),
      api('config', { key: 'config' }),
    ]);
    current = config;
    if (loadedYaml === null || editor.value === loadedYaml) editor.value = config.yaml;
    loadedYaml = config.yaml;
    replace(
      body,
      h('h2', {}, 'Routing'),
      table(
        ['Content type', 'Goes to', 'Kind'],
        overview.routes.map((route) => [route.contentType, route.target, route.kind]),
        'No route configured.',
        'routes-table',
      ),
      h('h2', {}, `Configuration in effect (version ${config.version})`),
      h(
        'details',
        {},
        h('summary', {}, 'Workers, workflows and their policies (YAML)'),
        h('pre', { id: 'config-current' }, config.yaml),
      ),
      h('h2', {}, 'Import'),
      h(
        'p',
        { id: 'config-help' },
        'Edit or paste a configuration (YAML or JSON), preview it, then apply. Applying fails if someone changed the configuration after your preview.',
      ),
      h('label', { for: 'config-document' }, 'New configuration'),
      editor,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => void preview() }, 'Preview'),
        applyButton,
      ),
      previewBox,
    );
  });
  return view;
}

export function signInPage(main, signedIn) {
  const status = h('div', { 'aria-live': 'polite' });
  replace(
    main,
    h('h1', {}, 'Sign in'),
    h(
      'form',
      {
        class: 'sign-in',
        onsubmit: async (event) => {
          event.preventDefault();
          const key = new FormData(event.target).get('key');
          try {
            await api('session', { method: 'POST', body: { key } });
            await signedIn();
          } catch (error) {
            replace(status, notice(`Sign-in refused: ${errorText(error)}`, 'error'));
          }
        },
      },
      h(
        'label',
        { for: 'api-key' },
        'API key',
        h('input', {
          id: 'api-key',
          name: 'key',
          type: 'password',
          autocomplete: 'current-password',
          required: true,
        }),
      ),
      h('button', { type: 'submit' }, 'Sign in'),
    ),
    status,
  );
  main.querySelector('input')?.focus();
  return {};
}
