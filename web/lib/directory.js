// "/": the list of tickers from GET /api/tickers, live ones first, each linking to /t/{id}.

const TICKER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Live tickers first, then the most recently started. Pure, for the unit tests. */
export function sortTickers(tickers) {
  return [...tickers].sort((a, b) => {
    if ((a.status === 'live') !== (b.status === 'live')) return a.status === 'live' ? -1 : 1;
    return String(b.created_at).localeCompare(String(a.created_at));
  });
}

export async function mountDirectory({ root, t, fetchImpl = fetch }) {
  const section = root.querySelector('#lt-directory');
  const list = root.querySelector('#lt-directory-list');
  const notice = root.querySelector('#lt-directory-notice');
  section.hidden = false;
  let tickers;
  try {
    const response = await fetchImpl('/api/tickers', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    tickers = (await response.json()).tickers;
  } catch {
    notice.textContent = t('directory_failed');
    notice.hidden = false;
    return;
  }
  const shown = sortTickers(tickers.filter((ticker) => TICKER_ID.test(ticker.id)));
  if (shown.length === 0) {
    notice.textContent = t('directory_empty');
    notice.hidden = false;
  }
  const doc = root.nodeType === 9 ? root : root.ownerDocument;
  list.replaceChildren(...shown.map((ticker) => renderTickerItem(doc, ticker, t)));
}

function renderTickerItem(doc, ticker, t) {
  const make = (tag, className, text) => {
    const element = doc.createElement(tag);
    if (className) element.setAttribute('class', className);
    if (text !== undefined) element.textContent = text;
    return element;
  };
  const item = make('li', 'lt-directory-item');
  const link = make('a', 'lt-directory-link');
  link.setAttribute('href', `/t/${ticker.id}`);
  const meta = make('span', 'lt-directory-meta');
  const live = ticker.status === 'live';
  const badge = make('span', 'lt-badge');
  badge.setAttribute('data-state', live ? 'live' : 'ended');
  const dot = make('span', 'lt-badge-dot');
  dot.setAttribute('aria-hidden', 'true');
  badge.append(dot, make('span', 'lt-badge-label', t(live ? 'status_live' : 'status_ended')));
  meta.append(badge, make('span', 'lt-count', t('entries_count', { n: ticker.entry_count })));
  link.append(meta, make('span', 'lt-directory-title', ticker.title));
  if (ticker.description) link.append(make('span', 'lt-directory-description', ticker.description));
  item.append(link);
  return item;
}
