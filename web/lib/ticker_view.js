// The ticker box in the browser: binds a TickerState and a Connection to the DOM of index.html
// (or the same skeleton inside an embed's shadow root). All DOM work for a ticker is here; the
// decisions about what to show are in ticker_state.js.

import { Connection } from './connection.js';
import { articleMatches, localizeEntry, renderEntry } from './render.js';
import { entrySummary } from './text.js';
import { dayKey, formatEntryTime } from './time.js';
import { normalizeOrder, TickerState } from './ticker_state.js';

const SEEK_PAGE_LIMIT = 100; // when hunting for a linked entry, fewer round trips
const CONNECTING_GRACE_MS = 1500; // a page that connects quickly never says "connecting"
const ANNOUNCE_DELAY_MS = 1000; // bursts of entries are announced once
const LOAD_MORE_MARGIN_PX = 800; // start loading well before the reader hits the end

export function mountTicker(options) {
  const view = new TickerView(options);
  view.start();
  return view;
}

export class TickerView {
  /**
   * root: the document or a shadow root holding the ticker skeleton.
   * t: translator; timeZone: undefined for the reader's own.
   * initial: a snapshot frame rendered by the server (its articles are already in the list).
   */
  constructor({
    root,
    tickerId,
    t,
    wsUrl,
    order = 'newest',
    limit = 20,
    initial = null,
    timeZone = undefined,
    infiniteScroll = true,
    onOrderChange = () => {},
    onTickerChange = () => {},
    onNavigate = () => {},
    onLiveEntry = () => {},
    onMissing = () => {},
    directoryLink = false,
  }) {
    Object.assign(this, { root, tickerId, t, limit, initial, infiniteScroll, directoryLink });
    Object.assign(this, { onOrderChange, onTickerChange, onNavigate, onLiveEntry, onMissing });
    this.doc = root.nodeType === 9 ? root : root.ownerDocument;
    this.win = this.doc.defaultView;
    this.order = normalizeOrder(order);
    this.state = new TickerState({ tickerId, order: initial?.order ?? this.order });
    this.presentation = { t, timeZone, now: () => new Date() };
    this.nodes = new Map(); // entry id → article
    this.renderedRevision = new Map(); // entry id → revision the article shows
    this.connection = new Connection({
      url: wsUrl,
      onOpen: () => this.subscribe(),
      onFrame: (frame) => this.handleFrame(frame),
      onStatus: (status) => this.handleStatus(status),
    });
    this.everLive = false;
    this.graceOver = false;
    this.fatal = false;
    this.seek = null;
    this.observing = false;
    this.announceQueue = [];
    this.el = this.findElements();
  }

  findElements() {
    const get = (id) => this.root.querySelector(`#${id}`);
    return {
      section: get('lt-ticker'),
      badge: get('lt-badge'),
      status: get('lt-status'),
      countNumber: get('lt-count-number'),
      countWord: get('lt-count-word'),
      title: get('lt-title'),
      description: get('lt-description'),
      keys: get('lt-keys'),
      keysList: get('lt-keys-list'),
      toolbar: get('lt-toolbar'),
      orderButtons: [...this.root.querySelectorAll('#lt-toolbar [data-order]')],
      pill: get('lt-pill'),
      list: get('lt-entries'),
      more: get('lt-more'),
      moreButton: get('lt-more-button'),
      loader: get('lt-loader'),
      end: get('lt-end'),
      notice: get('lt-notice'),
      announcer: get('lt-announcer'),
    };
  }

  start() {
    this.el.section.setAttribute('data-mounted', '');
    localizeStatic(this.root, this.t);
    if (this.initial && this.initial.ticker?.id === this.tickerId) this.adoptServerRendering(this.initial);
    this.el.toolbar.hidden = false;
    this.bindUi();
    this.renderAll();
    this.connection.start();
    this.win.setTimeout(() => {
      this.graceOver = true;
      this.renderBadge();
    }, CONNECTING_GRACE_MS);
    this.lastDay = dayKey(new Date(), this.presentation.timeZone);
    this.win.setInterval(() => this.refreshTimesAtMidnight(), 60_000);
  }

  // --- taking over the server's markup -------------------------------------------------------

  adoptServerRendering(snapshot) {
    this.state.adoptInitial(snapshot);
    for (const article of [...this.el.list.querySelectorAll(':scope > article.lt-entry')]) {
      const entry = this.state.find(Number(article.getAttribute('data-id')));
      if (entry && articleMatches(article, entry)) {
        localizeEntry(article, entry, this.presentation);
        this.nodes.set(entry.id, article);
        this.renderedRevision.set(entry.id, entry.revision);
      } else {
        article.remove(); // renderList draws it from the state instead
      }
    }
  }

  // --- wire --------------------------------------------------------------------------------

  /** Subscribes in the wanted order, resuming from the last seq when the order is unchanged. */
  subscribe() {
    if (this.fatal) return;
    this.connection.send(this.state.subscribeMessage({ order: this.order, limit: this.limit }));
    this.renderBadge();
  }

  handleStatus(status) {
    if (status !== 'open') this.state.connectionLost();
    this.renderBadge();
    this.renderFooter();
  }

  handleFrame(frame) {
    const about = typeof frame.ticker === 'string' ? frame.ticker : frame.ticker?.id;
    if (about !== undefined && about !== this.tickerId) return;
    switch (frame.type) {
      case 'snapshot':
        return this.handleSnapshot(frame);
      case 'resumed':
        return this.handleResult(this.state.applyResumed(frame));
      case 'event':
        if (frame.op === 'create') this.updateHolding();
        return this.handleResult(this.state.applyEvent(frame));
      case 'page':
        return this.handlePage(frame);
      case 'error':
        return this.handleError(frame);
      default:
        return undefined;
    }
  }

  handleSnapshot(frame) {
    const orderChanged = this.state.hasSnapshot && normalizeOrder(frame.order) !== this.state.order;
    if (!orderChanged) this.updateHolding();
    const anchor = !orderChanged && this.isReadingAway() ? this.captureAnchor() : null;
    this.state.applySnapshot(frame);
    this.everLive = true;
    this.renderAll();
    if (anchor && !this.restoreAnchor(anchor)) {
      // The entry the reader was at lies beyond the first page: fetch pages until it is back.
      const id = anchor[0].id;
      if (this.state.locate(id) === 'later') this.seekEntry(id, { restore: anchor });
    }
    if (orderChanged && this.el.section.getBoundingClientRect().top < 0) {
      this.el.section.scrollIntoView({ block: 'start', behavior: 'instant' });
    }
    this.continueSeek();
    this.maybeLoadMore();
  }

  handleResult(result) {
    switch (result.kind) {
      case 'gap':
        return this.subscribe();
      case 'resumed':
        this.everLive = true;
        this.renderBadge();
        return this.continueSeek();
      case 'create': {
        this.withStableScroll(() => this.renderList());
        this.markNew([result.entry]);
        this.announceLater(result.entry);
        this.onLiveEntry(result.entry);
        break;
      }
      case 'held':
        this.announceLater(result.entry);
        this.onLiveEntry(result.entry);
        break;
      case 'update':
        this.withStableScroll(() => this.renderList());
        flash(this.nodes.get(result.entry.id), 'lt-changed');
        break;
      case 'delete':
        if (result.removed) this.withStableScroll(() => this.renderList());
        break;
      case 'ticker':
        this.renderHeader();
        this.renderBadge();
        break;
      default:
        break;
    }
    this.renderCount();
    this.renderKeys();
    this.renderPill();
    this.renderFooter();
    return undefined;
  }

  handlePage(frame) {
    const result = this.state.applyPage(frame);
    if (result.kind === 'page') {
      this.withStableScroll(() => this.renderList());
      this.renderKeys();
    }
    this.renderFooter();
    this.continueSeek();
    this.maybeLoadMore();
  }

  handleError(frame) {
    const result = this.state.applyError(frame);
    if (result.fatal) {
      this.fatal = true;
      this.connection.stop();
      this.el.section.setAttribute('data-missing', '');
      this.showNotice(this.t('ticker_not_found'));
      if (this.directoryLink) {
        const link = this.doc.createElement('a');
        link.setAttribute('href', '/');
        link.textContent = this.t('directory_title');
        this.el.notice.append(' ', link);
      }
      this.onMissing();
    } else if (result.code === 'rate_limited' || result.code === 'internal') {
      this.showNotice(this.t('load_failed'));
    }
    this.renderBadge();
    this.renderFooter();
  }

  requestMore(limit = this.limit) {
    if (this.connection.status !== 'open') return;
    const message = this.state.moreMessage({ limit });
    if (message) this.connection.send(message);
    this.renderFooter();
  }

  /** Infinite scroll: loads the next page while the end of the list is near the screen. */
  maybeLoadMore() {
    if (this.infiniteScroll && this.observing && !this.seek && this.endIsNear()) this.requestMore();
  }

  // Measured, not remembered from the observer: right after a page arrives the observer has not
  // yet seen the list grow, and would ask for one page too many.
  endIsNear() {
    return this.el.more.getBoundingClientRect().top < this.win.innerHeight + LOAD_MORE_MARGIN_PX;
  }

  // --- what the reader does ------------------------------------------------------------------

  bindUi() {
    for (const button of this.el.orderButtons) {
      button.addEventListener('click', () => this.setOrder(button.getAttribute('data-order')));
    }
    this.el.moreButton.addEventListener('click', () => this.requestMore());
    this.el.pill.addEventListener('click', () => this.revealAndScrollUp());
    this.el.keysList.addEventListener('click', (event) => {
      const link = event.target.closest('a[data-entry]');
      if (!link) return;
      event.preventDefault();
      const id = Number(link.getAttribute('data-entry'));
      this.onNavigate(id);
      this.navigateTo(id);
    });
    let scheduled = false;
    this.win.addEventListener(
      'scroll',
      () => {
        if (scheduled) return;
        scheduled = true;
        this.win.requestAnimationFrame(() => {
          scheduled = false;
          this.updateHolding();
        });
      },
      { passive: true },
    );
    this.win.addEventListener('online', () => this.connection.reconnectNow());
    if (this.infiniteScroll && 'IntersectionObserver' in this.win) {
      const observer = new this.win.IntersectionObserver(
        (records) => {
          if (records.some((record) => record.isIntersecting)) this.maybeLoadMore();
        },
        { rootMargin: `${LOAD_MORE_MARGIN_PX}px 0px` },
      );
      observer.observe(this.el.more);
      this.observing = true;
    }
  }

  setOrder(order) {
    const wanted = normalizeOrder(order);
    if (wanted === this.order) return;
    this.order = wanted;
    this.onOrderChange(wanted);
    this.state.holding = false;
    this.seek = null;
    if (this.connection.status === 'open') {
      this.connection.send(this.state.subscribeMessage({ order: wanted, limit: this.limit, resume: false }));
    }
    this.renderOrderButtons();
    this.renderFooter();
  }

  /** Jumps to an entry (permalink or key-event link), loading pages until it is there. */
  navigateTo(id) {
    this.seekEntry(id, {});
  }

  revealAndScrollUp() {
    const revealed = this.state.revealPending();
    this.renderList();
    this.markNew(revealed);
    this.renderPill();
    this.renderKeys();
    this.el.toolbar.scrollIntoView({ block: 'start', behavior: this.scrollBehavior() });
    this.el.list.focus({ preventScroll: true });
  }

  // --- seeking an entry ----------------------------------------------------------------------

  seekEntry(id, { restore = null }) {
    this.seek = { id, restore };
    this.continueSeek();
  }

  continueSeek() {
    if (!this.seek || !this.state.hasSnapshot) return;
    const { id, restore } = this.seek;
    const where = this.state.locate(id);
    if (where === 'later') {
      if (this.state.synced) this.requestMore(SEEK_PAGE_LIMIT);
      return;
    }
    this.seek = null;
    if (where === 'pending') {
      this.state.revealPending();
      this.renderList();
      this.renderPill();
      this.renderKeys();
    }
    if (where === 'absent') {
      if (!restore) this.showNotice(this.t('entry_not_found'));
      return;
    }
    if (restore) {
      this.restoreAnchor(restore);
      return;
    }
    const node = this.nodes.get(id);
    node.scrollIntoView({ block: 'start', behavior: this.scrollBehavior() });
    node.setAttribute('tabindex', '-1');
    node.focus({ preventScroll: true });
    flash(node, 'lt-highlight');
  }

  // --- keeping the reader's place ------------------------------------------------------------

  /** Newest first and the place where new entries go is above the screen: hold them back. */
  updateHolding() {
    const hold = this.state.order === 'newest' && this.state.hasSnapshot && this.insertionPointY() < 0;
    this.state.holding = hold;
    if (!hold && this.state.pending.size) {
      const revealed = this.state.revealPending();
      this.withStableScroll(() => this.renderList());
      this.markNew(revealed);
      this.renderPill();
      this.renderKeys();
    }
  }

  insertionPointY() {
    const firstOfStream = this.el.list.querySelector(':scope > article:not(.lt-pinned)');
    return firstOfStream ? firstOfStream.getBoundingClientRect().top : this.el.list.getBoundingClientRect().bottom;
  }

  isReadingAway() {
    return this.el.list.getBoundingClientRect().top < 0;
  }

  /** The first entries on screen and where they are, to put them back after a change above. */
  captureAnchor() {
    const anchor = [];
    for (const node of this.el.list.children) {
      const rect = node.getBoundingClientRect();
      if (rect.bottom <= 0) continue;
      anchor.push({ id: Number(node.getAttribute('data-id')), top: rect.top });
      if (anchor.length === 3) break;
    }
    return anchor.length ? anchor : null;
  }

  restoreAnchor(anchor) {
    for (const { id, top } of anchor) {
      const node = this.nodes.get(id);
      if (!node?.isConnected) continue;
      const delta = node.getBoundingClientRect().top - top;
      if (Math.abs(delta) >= 1) this.win.scrollBy({ top: delta, behavior: 'instant' });
      return true;
    }
    return false;
  }

  withStableScroll(change) {
    const anchor = this.isReadingAway() ? this.captureAnchor() : null;
    change();
    if (anchor) this.restoreAnchor(anchor);
  }

  scrollBehavior() {
    return this.win.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'instant' : 'smooth';
  }

  // --- rendering -----------------------------------------------------------------------------

  renderAll() {
    this.renderHeader();
    this.renderCount();
    this.renderOrderButtons();
    this.withStableScroll(() => this.renderList());
    this.renderKeys();
    this.renderPill();
    this.renderBadge();
    this.renderFooter();
  }

  /** Makes the list's articles match state.list(), reusing every article whose revision is shown. */
  renderList() {
    if (!this.state.hasSnapshot) return; // keep whatever the server rendered until we know better
    const wanted = this.state.list();
    const keep = new Set(wanted.map((entry) => entry.id));
    for (const [id, node] of this.nodes) {
      if (!keep.has(id)) {
        node.remove();
        this.nodes.delete(id);
        this.renderedRevision.delete(id);
      }
    }
    const list = this.el.list;
    let next = list.firstElementChild;
    for (const entry of wanted) {
      let node = this.nodes.get(entry.id);
      if (!node || this.renderedRevision.get(entry.id) !== entry.revision) {
        if (node) {
          if (node === next) next = node.nextElementSibling;
          node.remove();
        }
        node = renderEntry(this.doc, entry, this.presentation);
        this.nodes.set(entry.id, node);
        this.renderedRevision.set(entry.id, entry.revision);
      }
      if (node === next) {
        next = next.nextElementSibling;
      } else {
        list.insertBefore(node, next);
      }
    }
    while (next) {
      const stray = next;
      next = next.nextElementSibling;
      stray.remove();
    }
  }

  markNew(entries) {
    for (const entry of entries) flash(this.nodes.get(entry.id), 'lt-new');
  }

  renderHeader() {
    const ticker = this.state.ticker;
    if (!ticker) return;
    setText(this.el.title, ticker.title);
    setText(this.el.description, ticker.description);
    this.el.description.hidden = !ticker.description;
    this.onTickerChange(ticker);
  }

  renderCount() {
    if (!this.state.ticker) return;
    const n = this.state.entryCount;
    setText(this.el.countNumber, this.t.number(n));
    setText(this.el.countWord, this.t('entries_word', { n }));
  }

  renderOrderButtons() {
    for (const button of this.el.orderButtons) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-order') === this.order));
    }
  }

  renderKeys() {
    const keys = this.state.keyEntries();
    this.el.keys.hidden = keys.length === 0;
    const signature = keys.map((entry) => `${entry.id}.${entry.revision}`).join(',');
    if (signature === this.keysSignature) return;
    this.keysSignature = signature;
    this.el.keysList.replaceChildren(...keys.map((entry) => this.renderKeyItem(entry)));
  }

  renderKeyItem(entry) {
    const item = this.doc.createElement('li');
    const link = this.doc.createElement('a');
    link.setAttribute('href', `#entry-${entry.id}`);
    link.setAttribute('data-entry', String(entry.id));
    const time = this.doc.createElement('time');
    time.setAttribute('class', 'lt-keys-time');
    time.setAttribute('datetime', entry.created_at);
    time.textContent = formatEntryTime(entry.created_at, {
      timeZone: this.presentation.timeZone,
      locale: this.t.locale,
      yesterday: this.t('yesterday'),
    });
    const text = this.doc.createElement('span');
    text.setAttribute('class', 'lt-keys-text');
    text.textContent = entrySummary(entry);
    link.append(time, text);
    item.append(link);
    return item;
  }

  renderPill() {
    const n = this.state.pending.size;
    this.el.pill.hidden = n === 0;
    if (n === 0) return;
    const label = this.el.pill.querySelector('.lt-pill-label');
    setText(label, this.t('new_entries', { n }));
  }

  renderBadge() {
    const mode = this.badgeMode();
    this.badgeModeShown = mode;
    const { badge, status } = this.el;
    badge.hidden = mode === 'hidden';
    badge.setAttribute('data-state', mode);
    const label = {
      live: 'status_live',
      pending: 'status_live',
      connecting: 'status_connecting',
      reconnecting: 'status_reconnecting',
      ended: 'status_ended',
    }[mode];
    const hint = {
      live: 'badge_hint_live',
      pending: 'badge_hint_connecting',
      connecting: 'badge_hint_connecting',
      reconnecting: 'badge_hint_reconnecting',
      ended: 'badge_hint_ended',
    }[mode];
    if (label) setText(status, this.t(label));
    if (hint) badge.setAttribute('title', this.t(hint));
  }

  badgeMode() {
    if (this.fatal) return 'hidden';
    if (this.state.isEnded) return 'ended';
    const open = this.connection.status === 'open';
    if (open && this.state.synced) return 'live';
    if (open && this.badgeModeShown) return this.badgeModeShown; // subscribed in a moment
    if (this.everLive) return 'reconnecting';
    if (!this.graceOver && this.state.ticker) return 'pending';
    return 'connecting';
  }

  renderFooter() {
    const { state } = this;
    const switching = state.hasSnapshot && this.order !== state.order;
    const waiting = !this.fatal && (!state.hasSnapshot || switching || state.loadingMore);
    this.el.loader.hidden = !waiting;
    this.el.list.setAttribute('aria-busy', String(waiting));
    this.el.moreButton.hidden = !state.hasSnapshot || state.cursor === null || waiting;
    let end = null;
    if (state.isComplete && !switching && !this.fatal) {
      if (state.entries.size === 0 && state.pending.size === 0) end = 'no_entries';
      else if (state.order === 'oldest' && !state.isEnded) end = 'end_live_bottom';
      else end = 'end_of_ticker';
    }
    this.el.end.hidden = end === null;
    if (end) setText(this.el.end, this.t(end));
  }

  showNotice(text) {
    setText(this.el.notice, text);
    this.el.notice.hidden = false;
    this.win.clearTimeout(this.noticeTimer);
    if (!this.fatal) this.noticeTimer = this.win.setTimeout(() => (this.el.notice.hidden = true), 8000);
  }

  /** One polite announcement per burst: the entry's summary, or how many arrived. */
  announceLater(entry) {
    this.announceQueue.push(entry);
    if (this.announceTimer) return;
    this.announceTimer = this.win.setTimeout(() => {
      const batch = this.announceQueue.filter((queued) => this.state.knows(queued.id));
      this.announceQueue = [];
      this.announceTimer = null;
      if (batch.length === 0) return;
      const text =
        batch.length === 1
          ? this.t('announce_entry', { summary: entrySummary(batch[0]) })
          : this.t('new_entries', { n: batch.length });
      setText(this.el.announcer, text);
    }, ANNOUNCE_DELAY_MS);
  }

  refreshTimesAtMidnight() {
    const today = dayKey(new Date(), this.presentation.timeZone);
    if (today === this.lastDay) return;
    this.lastDay = today;
    for (const [id, node] of this.nodes) {
      const entry = this.state.find(id);
      if (entry) localizeEntry(node, entry, this.presentation);
    }
    this.keysSignature = null;
    this.renderKeys();
  }
}

/** Labels written in the HTML (German, for readers without JavaScript) in the reader's language. */
export function localizeStatic(root, t) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    setText(element, t(element.getAttribute('data-i18n')));
  }
  for (const element of root.querySelectorAll('[data-i18n-aria-label]')) {
    element.setAttribute('aria-label', t(element.getAttribute('data-i18n-aria-label')));
  }
}

/**
 * Adds a class that runs a one-off CSS animation and takes it off afterwards (also when reduced
 * motion means no animation runs at all).
 */
function flash(node, className) {
  if (!node) return;
  node.classList.remove(className);
  void node.offsetWidth; // restarts the animation when the same entry flashes twice
  node.classList.add(className);
  const done = () => node.classList.remove(className);
  node.addEventListener('animationend', done, { once: true });
  node.ownerDocument.defaultView.setTimeout(done, 2500);
}

/** Writes text only when it changed: no needless mutations for screen readers and observers. */
function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}
