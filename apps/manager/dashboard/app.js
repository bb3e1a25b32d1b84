// The dashboard's entry point: session, navigation (the path and query are the view, so every
// view is a link), and live updates (server-sent "something changed" signals, a polling
// fallback, an on/off control, paused while the tab is hidden).
import { api, h, replace, session, errorText, notice } from './dom.js';
import {
  auditPage,
  configurationPage,
  detailPage,
  overviewPage,
  signInPage,
  workersPage,
} from './pages.js';
import { requestsPage } from './requests-page.js';

/** Polling period when server-sent events are unavailable. */
const POLL_MS = 5000;

const top = document.getElementById('top');
const main = document.getElementById('main');
let current; // { refresh() } of the page shown
let live = localStorage.getItem('wm-live') !== 'off';
let events;
let pollTimer;
let refreshing = false;
let refreshAgain = false;

const NAV = [
  ['/dashboard', 'Overview'],
  ['/dashboard/requests', 'Requests'],
  ['/dashboard/workers', 'Workers'],
  ['/dashboard/configuration', 'Configuration'],
  ['/dashboard/audit', 'Audit log'],
];

function header() {
  const path = location.pathname.replace(/\/$/, '');
  const liveButton = h(
    'button',
    {
      type: 'button',
      class: 'live-toggle',
      'aria-pressed': String(live),
      onclick: () => {
        live = !live;
        localStorage.setItem('wm-live', live ? 'on' : 'off');
        connect();
        header();
      },
    },
    live ? 'Live updates: on' : 'Live updates: off',
  );
  replace(
    top,
    h(
      'nav',
      { 'aria-label': 'Dashboard' },
      h('span', { class: 'brand' }, 'Worker manager'),
      h(
        'ul',
        {},
        NAV.map(([href, text]) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href,
                'data-internal': true,
                'aria-current':
                  path === href || (href !== '/dashboard' && path.startsWith(href)) ? 'page' : null,
              },
              text,
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'who' },
        liveButton,
        h('span', { class: 'live-state', id: 'live-state' }, ''),
        session.name
          ? h(
              'span',
              {},
              `${session.name} (${session.role})`,
              session.authRequired
                ? h('button', { type: 'button', onclick: signOut }, 'Sign out')
                : null,
            )
          : null,
      ),
    ),
  );
}

async function signOut() {
  await api('session/sign-out', { method: 'POST' });
  location.assign('/dashboard/sign-in');
}

async function loadSession() {
  Object.assign(session, await api('session'));
}

/** Draws the page the location names. */
async function render() {
  header();
  const path = location.pathname.replace(/\/$/, '');
  const params = new URLSearchParams(location.search);
  if (session.authRequired && !session.signedIn) {
    if (path !== '/dashboard/sign-in') history.replaceState(null, '', '/dashboard/sign-in');
    current = signInPage(main, async () => {
      await loadSession();
      navigate('/dashboard');
      connect();
    });
    return;
  }
  const detail = /^\/dashboard\/requests\/(.+)$/.exec(path);
  if (path === '/dashboard/requests') current = requestsPage(main, params, navigate);
  else if (detail) current = detailPage(main, decodeURIComponent(detail[1]), navigate);
  else if (path === '/dashboard/workers') current = workersPage(main);
  else if (path === '/dashboard/audit') current = auditPage(main);
  else if (path === '/dashboard/configuration') current = configurationPage(main);
  else if (path === '/dashboard/sign-in') {
    history.replaceState(null, '', '/dashboard');
    current = overviewPage(main);
  } else current = overviewPage(main);
  document.title = `${document.querySelector('main h1')?.textContent ?? 'Dashboard'} · Worker manager`;
}

/** Shows another view and records it in the address bar (back and forward work). */
export function navigate(url, { replace: replaceEntry = false } = {}) {
  if (replaceEntry) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render().then(() => main.focus({ preventScroll: true }));
}

/** One refresh at a time; a signal during a refresh runs one more afterwards, never a pile. */
async function refresh() {
  if (!current?.refresh) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    await current.refresh();
  } catch (error) {
    console.warn('refresh failed', error);
  } finally {
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      void refresh();
    }
  }
}

function setLiveState(text) {
  const element = document.getElementById('live-state');
  if (element) element.textContent = text;
}

/** Opens the change stream when live and visible; falls back to polling when it fails. */
function connect() {
  events?.close();
  events = undefined;
  clearInterval(pollTimer);
  pollTimer = undefined;
  if (session.authRequired && !session.signedIn) return;
  if (!live || document.hidden) {
    setLiveState(live ? '(paused while hidden)' : '');
    return;
  }
  if (typeof EventSource === 'undefined') return poll();
  events = new EventSource('/dashboard/api/events');
  // `hello` comes once the server has its baseline: reload once, then every change is signalled.
  events.addEventListener('hello', () => {
    setLiveState('(connected)');
    void refresh();
  });
  events.addEventListener('change', () => {
    // Counted on the status element: what an operator (or a test) can see arrive.
    const state = document.getElementById('live-state');
    if (state) state.dataset.signals = String(Number(state.dataset.signals ?? 0) + 1);
    void refresh();
  });
  events.addEventListener('error', () => {
    // The browser reconnects by itself; until then, poll.
    if (events?.readyState === EventSource.CLOSED) {
      events = undefined;
      poll();
    } else if (!pollTimer) poll(true);
  });
}

function poll(keepEvents = false) {
  if (!keepEvents) events?.close();
  setLiveState('(polling)');
  pollTimer ??= setInterval(() => {
    if (events?.readyState === EventSource.OPEN) {
      clearInterval(pollTimer);
      pollTimer = undefined;
      setLiveState('(connected)');
      return;
    }
    void refresh();
  }, POLL_MS);
}

document.addEventListener('visibilitychange', connect);
window.addEventListener('popstate', () => void render());
document.addEventListener('click', (event) => {
  const anchor = event.target instanceof Element ? event.target.closest('a[data-internal]') : null;
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href'));
});

try {
  await loadSession();
  await render();
  connect();
} catch (error) {
  replace(main, notice(`The dashboard could not load: ${errorText(error)}`, 'error'));
}
