// The reader's page: "/t/{ticker}" shows one ticker, "/" the list of tickers. The server has
// usually rendered the ticker already (#lt-initial holds the snapshot it used); this script
// takes that markup over, connects and keeps it live.

import { mountDirectory } from '/lib/directory.js';
import { pickLanguage, translator } from '/lib/i18n.js';
import { socketUrl } from '/lib/connection.js';
import { normalizeOrder } from '/lib/ticker_state.js';
import { mountTicker } from '/lib/ticker_view.js';

const ORDER_KEY = 'liveticker.order';
const params = new URLSearchParams(location.search);
const t = translator(pickLanguage({ explicit: params.get('lang'), preferred: navigator.languages ?? [navigator.language] }));
document.documentElement.lang = t.lang;

const tickerPath = location.pathname.match(/^\/t\/([a-z0-9][a-z0-9-]{0,63})\/?$/);
if (tickerPath) {
  startTicker(tickerPath[1]);
} else {
  document.querySelector('#lt-ticker').hidden = true;
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.getAttribute('data-i18n'));
  mountDirectory({ root: document, t });
}

function startTicker(tickerId) {
  const initial = readInitialSnapshot(tickerId);
  const baseTitle = document.title;
  let unseen = 0;
  let tickerTitle = initial?.ticker.title ?? null;
  const showTitle = () => {
    const page = tickerTitle ? `${tickerTitle} – ${t('brand')}` : baseTitle;
    document.title = unseen > 0 ? `(${unseen}) ${page}` : page;
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && unseen > 0) {
      unseen = 0;
      showTitle();
    }
  });

  const feed = document.querySelector('#lt-feed-link');
  feed.href = `/t/${tickerId}/feed.atom`;
  feed.type = 'application/atom+xml';
  feed.hidden = false;

  const view = mountTicker({
    root: document,
    tickerId,
    t,
    wsUrl: socketUrl(location.origin),
    order: preferredOrder(),
    initial,
    onOrderChange: rememberOrder,
    onTickerChange: (ticker) => {
      tickerTitle = ticker.title;
      showTitle();
    },
    onNavigate: (id) => history.pushState(null, '', `#entry-${id}`),
    directoryLink: true,
    onMissing: () => (feed.hidden = true),
    onLiveEntry: () => {
      if (document.visibilityState === 'hidden') {
        unseen += 1;
        showTitle();
      }
    },
  });

  const followHash = () => {
    const linked = location.hash.match(/^#entry-(\d+)$/);
    if (linked) view.navigateTo(Number(linked[1]));
  };
  window.addEventListener('hashchange', followHash);
  followHash();
}

/** The snapshot the server rendered the page from, when it is one for this ticker. */
function readInitialSnapshot(tickerId) {
  const script = document.querySelector('#lt-initial');
  if (!script) return null;
  try {
    const frame = JSON.parse(script.textContent);
    return frame?.type === 'snapshot' && frame.ticker?.id === tickerId ? frame : null;
  } catch {
    return null;
  }
}

/** ?order= in the address wins (it is what the server rendered), then the reader's last choice. */
function preferredOrder() {
  const fromUrl = params.get('order');
  if (fromUrl) return normalizeOrder(fromUrl);
  try {
    return normalizeOrder(localStorage.getItem(ORDER_KEY));
  } catch {
    return 'newest'; // storage can be off (private modes); the order still works for this visit
  }
}

function rememberOrder(order) {
  try {
    localStorage.setItem(ORDER_KEY, order);
  } catch {
    // not stored: the address below still carries it
  }
  const url = new URL(location.href);
  if (order === 'oldest') url.searchParams.set('order', 'oldest');
  else url.searchParams.delete('order');
  url.hash = '';
  history.replaceState(null, '', url);
}
