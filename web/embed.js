// Puts a live ticker into any page:
//   <div data-liveticker="ukraine" data-order="oldest" data-lang="en" data-limit="10"></div>
//   <script type="module" src="https://HOST/embed.js"></script>
// Each element gets a shadow root with the ticker box and this server's stylesheet, so the host
// page's CSS and ours never meet. Nothing is put on window; the modules below load from the
// same origin as this file (relative imports resolve against its URL).

import { pickLanguage, translator } from './lib/i18n.js';
import { socketUrl } from './lib/connection.js';
import { buildTickerSkeleton } from './lib/skeleton.js';
import { mountTicker } from './lib/ticker_view.js';

const origin = new URL(import.meta.url).origin;
const TICKER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const mounted = new WeakSet();

function mountEmbed(host) {
  const tickerId = host.getAttribute('data-liveticker');
  if (mounted.has(host) || !TICKER_ID.test(tickerId ?? '')) return;
  mounted.add(host);
  const doc = host.ownerDocument;
  const t = translator(pickLanguage({ explicit: host.getAttribute('data-lang'), preferred: navigator.languages ?? [] }));
  const limit = Math.min(100, Math.max(1, Number.parseInt(host.getAttribute('data-limit') ?? '', 10) || 10));

  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const stylesheet = doc.createElement('link');
  stylesheet.setAttribute('rel', 'stylesheet');
  stylesheet.setAttribute('href', `${origin}/style.css`);
  const frame = doc.createElement('div');
  frame.setAttribute('class', 'lt-embed');
  frame.setAttribute('lang', t.lang);
  frame.hidden = true; // until the stylesheet is there: no flash of unstyled ticker
  const reveal = () => (frame.hidden = false);
  stylesheet.addEventListener('load', reveal, { once: true });
  stylesheet.addEventListener('error', reveal, { once: true });
  frame.append(buildTickerSkeleton(doc));
  root.replaceChildren(stylesheet, frame);

  mountTicker({
    root,
    tickerId,
    t,
    wsUrl: socketUrl(origin),
    order: host.getAttribute('data-order') ?? 'newest',
    limit,
    infiniteScroll: false, // a box inside someone else's article loads more only when asked
  });
}

for (const host of document.querySelectorAll('[data-liveticker]')) mountEmbed(host);
