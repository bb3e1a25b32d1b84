// The requests list: server-side filters kept in the URL, keyset paging, sort, selection,
// actions on a selection or on everything matching (preview, confirmation, progress, result),
// export, and an "N new" indicator instead of rows jumping.
import {
  api,
  h,
  replace,
  session,
  link,
  stateBadge,
  formatTime,
  notice,
  errorText,
  isAbort,
} from './dom.js';

/** Text filters, in the form's order: [query parameter, label]. */
const TEXT_FILTERS = [
  ['contentType', 'Content type'],
  ['workerType', 'Worker type'],
  ['workflow', 'Workflow'],
  ['tenant', 'Tenant'],
  ['owner', 'Owner'],
  ['session', 'Session'],
  ['parentId', 'Parent id'],
  ['priority', 'Priority'],
  ['payload', 'Payload contains'],
];
const FILTER_KEYS = ['state', ...TEXT_FILTERS.map(([key]) => key), 'createdFrom', 'createdTo'];
const VERBS = { retry: 'retried', cancel: 'cancelled', delete: 'deleted' };

/** The filter part of the URL's query (no sort, cursor or id). */
function filterOf(params) {
  const filter = new URLSearchParams();
  for (const key of FILTER_KEYS)
    for (const value of params.getAll(key)) if (value) filter.append(key, value);
  return filter;
}

export function requestsPage(main, params, navigate) {
  const filter = filterOf(params);
  const sort = params.get('sort') ?? '-createdAt';
  const cursor = params.get('cursor');
  const idSearch = params.get('id') ?? '';
  const selected = new Set();
  let rows = [];
  // Until the first page is drawn, a live refresh (which replaces the call in flight) draws it.
  let drawn = false;

  const status = h('div', { id: 'action-status', 'aria-live': 'polite' });
  const newer = h('div', { id: 'newer', 'aria-live': 'polite' });
  const countsBox = h('div', { id: 'counts', class: 'counts' });
  const tbody = h('tbody');
  const selectionButtons = {};

  const form = filterForm(params, idSearch, sort, (next) =>
    navigate(`/dashboard/requests?${next}`),
  );

  const linkWith = (changes) => {
    const next = new URLSearchParams(filter);
    next.set('sort', sort);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    return `/dashboard/requests?${next}`;
  };

  const sortHeader = (label, field) => {
    const ascending = sort === field;
    const descending = sort === `-${field}`;
    return h(
      'th',
      { scope: 'col', 'aria-sort': ascending ? 'ascending' : descending ? 'descending' : 'none' },
      link(
        linkWith({ sort: descending ? field : `-${field}`, cursor: null }),
        label,
        ascending ? ' ▲' : descending ? ' ▼' : '',
      ),
    );
  };

  function updateSelectionButtons() {
    const chosen = rows.filter((row) => selected.has(row.id));
    for (const [action, button] of Object.entries(selectionButtons)) {
      const allowed = session.actionStates[action] ?? [];
      button.disabled =
        session.role !== 'operate' || !chosen.some((row) => allowed.includes(row.state));
    }
  }

  function rowOf(row) {
    const box = h('input', {
      type: 'checkbox',
      'aria-label': `Select ${row.id}`,
      checked: selected.has(row.id),
      onchange: (event) => {
        if (event.target.checked) selected.add(row.id);
        else selected.delete(row.id);
        updateSelectionButtons();
      },
    });
    return h(
      'tr',
      { 'data-id': row.id },
      h('td', {}, box),
      h('td', {}, link(`/dashboard/requests/${encodeURIComponent(row.id)}`, row.id)),
      h('td', { class: 'state-cell' }, stateBadge(row.state)),
      h('td', {}, row.contentType),
      h('td', {}, row.workerType),
      h(
        'td',
        {},
        row.workflow ?? '—',
        row.workflow ? ` (step ${row.step + 1}/${row.steps.length})` : '',
      ),
      h('td', {}, String(row.attempt)),
      h('td', {}, row.tenant ?? '—'),
      h('td', {}, formatTime(row.createdAt)),
      h('td', {}, formatTime(row.updatedAt)),
      h('td', { class: 'messages' }, row.messages.join('; ')),
    );
  }

  async function loadCounts() {
    try {
      const counts = await api('requests/counts', { query: filter, key: 'counts' });
      const states = filter.getAll('state').flatMap((value) => value.split(','));
      const matching =
        states.length > 0
          ? states.reduce((sum, state) => sum + (counts.byState[state] ?? 0), 0)
          : counts.total;
      replace(
        countsBox,
        h('p', { id: 'matching' }, `${matching} matching`),
        h(
          'ul',
          { class: 'chips', 'aria-label': 'Counts by state' },
          Object.entries(counts.byState)
            .filter(([, count]) => count > 0)
            .map(([state, count]) =>
              h('li', {}, link(linkWith({ state, cursor: null }), stateBadge(state), ` ${count}`)),
            ),
        ),
      );
    } catch (error) {
      if (!isAbort(error)) replace(countsBox, notice(`Counts: ${errorText(error)}`, 'error'));
    }
  }

  async function load(initial) {
    if (idSearch) {
      try {
        const detail = await api(`requests/${encodeURIComponent(idSearch)}`, { key: 'list' });
        rows = [detail.request];
      } catch (error) {
        if (isAbort(error)) return;
        rows = [];
      }
      replace(
        tbody,
        rows.length
          ? rows.map(rowOf)
          : h('tr', {}, h('td', { colspan: 11 }, `No request with id ${idSearch}`)),
      );
      return;
    }
    const query = new URLSearchParams(filter);
    query.set('sort', sort);
    query.set('limit', '50');
    if (cursor) query.set('cursor', cursor);
    const page = await api('requests', { query, key: 'list' });
    if (initial || !drawn) {
      rows = page.items;
      replace(
        tbody,
        rows.length
          ? rows.map(rowOf)
          : h('tr', {}, h('td', { colspan: 11 }, 'No request matches.')),
      );
      replace(
        pager,
        cursor ? link(linkWith({ cursor: null }), 'First page') : null,
        page.nextCursor ? link(linkWith({ cursor: page.nextCursor }), 'Next page') : null,
      );
      drawn = true;
    } else {
      // Live: update the rows shown in place; new rows wait behind the "N new" button.
      const byId = new Map(page.items.map((item) => [item.id, item]));
      rows = rows.map((row) => byId.get(row.id) ?? row);
      for (const row of rows) {
        const line = tbody.querySelector(`tr[data-id="${CSS.escape(row.id)}"]`);
        if (line) line.replaceWith(rowOf(row));
      }
    }
    updateSelectionButtons();
  }

  async function checkNewer() {
    if (!drawn || cursor || idSearch || !sort.endsWith('createdAt')) return;
    const newest = sort === '-createdAt' ? rows[0] : undefined;
    if (!newest && rows.length > 0) return;
    const query = new URLSearchParams(filter);
    query.set('since', newest ? newest.createdAt : '1970-01-01T00:00:00.000Z');
    const { count } = await api('requests/newer', { query, key: 'newer' });
    replace(
      newer,
      count > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'newer',
              onclick: () => navigate(linkWith({ cursor: null }), { replace: true }),
            },
            `${count >= 1000 ? '1000+' : count} new — show`,
          )
        : null,
    );
  }

  async function runAction(action, scope) {
    const verb = VERBS[action];
    let target;
    let query = new URLSearchParams();
    let body;
    if (scope === 'ids') {
      const allowed = session.actionStates[action];
      const ids = rows
        .filter((row) => selected.has(row.id) && allowed.includes(row.state))
        .map((row) => row.id);
      target = `${ids.length} selected request${ids.length === 1 ? '' : 's'}`;
      body = { scope: 'ids', ids };
    } else {
      query = filter;
      let count;
      try {
        ({ count } = await api(`actions/${action}/preview`, { query: filter }));
      } catch (error) {
        replace(status, notice(errorText(error), 'error'));
        return;
      }
      target = `${count} request${count === 1 ? '' : 's'} matching this filter`;
      body = { scope: 'filter' };
    }
    const confirmed = await confirmDialog(
      `${action[0].toUpperCase()}${action.slice(1)} ${target}?`,
      action,
    );
    if (!confirmed) return;
    const actionId = crypto.randomUUID();
    replace(status, h('p', { role: 'status', id: 'progress' }, 'Working…'));
    const progress = setInterval(async () => {
      try {
        const soFar = await api(`actions/progress/${actionId}`, { key: 'progress' });
        if (!soFar.done)
          replace(
            status,
            h(
              'p',
              { role: 'status', id: 'progress' },
              `Working… ${soFar.count} ${verb}, ${soFar.skipped} skipped so far`,
            ),
          );
      } catch {
        // Not started yet, or another replica runs it: the result comes anyway.
      }
    }, 500);
    try {
      const result = await api(`actions/${action}`, {
        method: 'POST',
        query,
        body,
        headers: { 'X-Action-Id': actionId },
      });
      clearInterval(progress);
      replace(status, notice(`${result.count} ${verb}, ${result.skipped} skipped`, 'success'));
      selected.clear();
      await Promise.all([load(false), loadCounts()]);
    } catch (error) {
      clearInterval(progress);
      replace(status, notice(`The ${action} failed: ${errorText(error)}`, 'error'));
    }
  }

  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const operate = session.role === 'operate';
  const actionBar = h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Actions' },
    ['retry', 'cancel', 'delete'].map((action) => {
      selectionButtons[action] = h(
        'button',
        { type: 'button', disabled: true, onclick: () => runAction(action, 'ids') },
        `${action[0].toUpperCase()}${action.slice(1)} selected`,
      );
      return selectionButtons[action];
    }),
    ['retry', 'cancel', 'delete'].map((action) =>
      h(
        'button',
        {
          type: 'button',
          disabled: !operate || Boolean(idSearch),
          onclick: () => runAction(action, 'filter'),
        },
        `${action[0].toUpperCase()}${action.slice(1)} all matching…`,
      ),
    ),
    operate ? null : h('span', { class: 'hint' }, 'Your role can read, not act.'),
  );
  const exportQuery = (format) => {
    const query = new URLSearchParams(filter);
    query.set('sort', sort);
    query.set('format', format);
    return `/dashboard/api/requests/export?${query}`;
  };

  replace(
    main,
    h('h1', {}, 'Requests'),
    form,
    countsBox,
    newer,
    actionBar,
    status,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'requests' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')),
            h('th', { scope: 'col' }, 'Id'),
            h('th', { scope: 'col' }, 'State'),
            h('th', { scope: 'col' }, 'Content type'),
            h('th', { scope: 'col' }, 'Worker type'),
            h('th', { scope: 'col' }, 'Workflow'),
            h('th', { scope: 'col' }, 'Attempt'),
            h('th', { scope: 'col' }, 'Tenant'),
            sortHeader('Created', 'createdAt'),
            sortHeader('Updated', 'updatedAt'),
            h('th', { scope: 'col' }, 'Messages'),
          ),
        ),
        tbody,
      ),
    ),
    pager,
    h(
      'p',
      { class: 'export' },
      'Export this filter: ',
      h('a', { href: exportQuery('csv'), download: 'requests.csv' }, 'CSV'),
      ' · ',
      h('a', { href: exportQuery('json'), download: 'requests.json' }, 'JSON'),
    ),
  );
  void load(true).catch(
    (error) =>
      !isAbort(error) && replace(tbody, h('tr', {}, h('td', { colspan: 11 }, errorText(error)))),
  );
  void loadCounts();

  return {
    refresh: async () => {
      await Promise.all([load(false), loadCounts(), checkNewer()]);
    },
  };
}

function filterForm(params, idSearch, sort, submit) {
  const stateSelect = h(
    'select',
    { id: 'filter-state', name: 'state', multiple: true, size: 4 },
    session.states.map((state) =>
      h(
        'option',
        {
          value: state,
          selected: params
            .getAll('state')
            .flatMap((v) => v.split(','))
            .includes(state),
        },
        state,
      ),
    ),
  );
  const field = (name, label, type = 'text') =>
    h(
      'label',
      { for: `filter-${name}` },
      label,
      h('input', { id: `filter-${name}`, name, type, value: params.get(name) ?? '' }),
    );
  const localOf = (iso) => (iso ? iso.slice(0, 16) : '');
  const dateField = (name, label) =>
    h(
      'label',
      { for: `filter-${name}` },
      label,
      h('input', {
        id: `filter-${name}`,
        name,
        type: 'datetime-local',
        value: localOf(params.get(name)),
      }),
    );
  return h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const next = new URLSearchParams();
        const states = data.getAll('state');
        if (states.length > 0) next.set('state', states.join(','));
        for (const [key] of TEXT_FILTERS) {
          const value = String(data.get(key) ?? '').trim();
          if (value) next.set(key, value);
        }
        for (const key of ['createdFrom', 'createdTo']) {
          const value = String(data.get(key) ?? '');
          if (value) next.set(key, new Date(`${value}:00Z`).toISOString());
        }
        const id = String(data.get('id') ?? '').trim();
        if (id) next.set('id', id);
        next.set('sort', String(data.get('sort')));
        submit(next);
      },
    },
    h(
      'label',
      { for: 'filter-id' },
      'Id',
      h('input', { id: 'filter-id', name: 'id', type: 'search', value: idSearch }),
    ),
    h('label', { for: 'filter-state' }, 'State', stateSelect),
    TEXT_FILTERS.map(([name, label]) =>
      field(name, label, name === 'priority' ? 'number' : 'text'),
    ),
    dateField('createdFrom', 'Created from (UTC)'),
    dateField('createdTo', 'Created before (UTC)'),
    h(
      'label',
      { for: 'filter-sort' },
      'Sort',
      h(
        'select',
        { id: 'filter-sort', name: 'sort' },
        [
          ['-createdAt', 'Newest first'],
          ['createdAt', 'Oldest first'],
          ['-updatedAt', 'Recently updated'],
          ['updatedAt', 'Least recently updated'],
        ].map(([value, text]) => h('option', { value, selected: value === sort }, text)),
      ),
    ),
    h(
      'div',
      { class: 'form-buttons' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('a', { href: '/dashboard/requests', 'data-internal': true }, 'Clear'),
    ),
  );
}

/** A modal confirmation (the native <dialog>: focus trapped, Escape cancels). */
export function confirmDialog(question, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'confirm-question' },
      h('p', { id: 'confirm-question' }, question),
      h(
        'form',
        { method: 'dialog' },
        h('button', { value: 'cancel', type: 'submit' }, 'Keep them'),
        h('button', { value: 'confirm', type: 'submit', class: 'danger' }, `Yes, ${confirmLabel}`),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
