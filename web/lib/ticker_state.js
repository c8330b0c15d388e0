// The reader's model of one ticker: which entries it shows, in which order, and how far it has
// followed the event stream. Pure logic with no DOM, so that merging snapshots, pages and
// events in both orders is unit-tested in Node.
//
// Rules that hold it together:
// - `seq` is the last event applied. An event with a lower or equal seq is a duplicate (after a
//   resume or replay) and is dropped; one that skips a seq means something was lost, so the state
//   stops applying events until the caller has resubscribed with `resume_seq` = `seq`.
// - Pages come in id order, so what is loaded is always one contiguous run of the ticker from
//   its live end: newest-first holds ids ≥ `boundaryId`, oldest-first ids ≤ `boundaryId`
//   (everything once `cursor` is null). An entry outside that run is left for a later page.
// - While `holding` (the reader scrolled away from the top, newest first), live entries wait in
//   `pending` so that nothing moves under the reader's eyes; `revealPending()` shows them.

export const ORDERS = Object.freeze(['newest', 'oldest']);

export function normalizeOrder(value) {
  return value === 'oldest' ? 'oldest' : 'newest';
}

/** Sorts entries as the order shows them: pinned entries first, then the stream. */
export function sortEntries(entries, order) {
  const byId = order === 'oldest' ? (a, b) => a.id - b.id : (a, b) => b.id - a.id;
  const pinned = entries.filter((entry) => entry.pinned).sort(byId);
  const stream = entries.filter((entry) => !entry.pinned).sort(byId);
  return [...pinned, ...stream];
}

export class TickerState {
  constructor({ tickerId, order = 'newest' } = {}) {
    this.tickerId = tickerId;
    this.order = normalizeOrder(order);
    this.ticker = null;
    this.seq = null; // seq of the last applied event; null before the first snapshot
    this.cursor = null; // where the next page starts; null once everything is loaded
    this.boundaryId = null; // id of the last entry of the last page
    this.entries = new Map(); // id → entry, shown
    this.pending = new Map(); // id → entry, arrived while holding, not shown yet
    this.holding = false;
    this.synced = false; // events may be applied: after snapshot/resumed, until a gap or disconnect
    this.hasSnapshot = false;
    this.generation = 0; // bumped by each subscribe, so answers to older `more`s are recognised
    this.outstandingMores = []; // generation of each unanswered `more`, oldest first
  }

  get entryCount() {
    return this.ticker?.entry_count ?? 0;
  }

  get isEnded() {
    return this.ticker?.status === 'ended';
  }

  get isComplete() {
    return this.hasSnapshot && this.cursor === null;
  }

  get loadingMore() {
    return this.outstandingMores.includes(this.generation);
  }

  /**
   * The subscribe message for a (re)connect or an order change. It resumes from `seq` when the
   * order stays the same and there is state to resume; otherwise it asks for a fresh snapshot.
   */
  subscribeMessage({ order = this.order, limit = 20, resume = true } = {}) {
    const wanted = normalizeOrder(order);
    this.generation += 1;
    this.synced = false;
    const message = { type: 'subscribe', ticker: this.tickerId, order: wanted, limit };
    if (resume && this.hasSnapshot && this.seq !== null && wanted === this.order) {
      message.resume_seq = this.seq;
    }
    return message;
  }

  /** The next `more` message, or null when nothing is to load or a page is on its way. */
  moreMessage({ limit = 20 } = {}) {
    if (!this.synced || this.cursor === null || this.loadingMore) return null;
    this.outstandingMores.push(this.generation);
    return { type: 'more', ticker: this.tickerId, cursor: this.cursor, limit };
  }

  /** The socket closed: unanswered requests die with it, and events wait for a resubscribe. */
  connectionLost() {
    this.synced = false;
    this.outstandingMores = [];
  }

  /** Takes the server-rendered snapshot (#lt-initial) as state before any connection. */
  adoptInitial(frame) {
    this.applySnapshot(frame);
    this.synced = false; // nothing subscribed yet: events need a subscribe first
  }

  /**
   * Replaces everything with a snapshot. While holding (newest first), entries newer than any
   * shown so far go to `pending`, so a reconnect does not push the reader's text down.
   */
  applySnapshot(frame) {
    const order = normalizeOrder(frame.order);
    const newestShown = this.holding && order === 'newest' && this.order === 'newest' ? this.maxShownId() : null;
    this.ticker = { ...frame.ticker };
    this.order = order;
    this.seq = frame.ticker.seq;
    this.cursor = frame.cursor ?? null;
    this.boundaryId = frame.entries.length ? frame.entries.at(-1).id : null;
    this.entries = new Map();
    this.pending = new Map();
    for (const entry of frame.entries) {
      const held = newestShown !== null && entry.id > newestShown;
      (held ? this.pending : this.entries).set(entry.id, entry);
    }
    this.hasSnapshot = true;
    this.synced = true;
    return { kind: 'snapshot', held: this.pending.size };
  }

  /** `resumed`: the server replays what came after our seq; anything else means a gap. */
  applyResumed(frame) {
    if (!this.hasSnapshot || frame.seq !== this.seq) {
      this.synced = false;
      return { kind: 'gap', resumeSeq: this.seq };
    }
    this.synced = true;
    return { kind: 'resumed' };
  }

  applyEvent(frame) {
    if (!this.synced) return { kind: 'ignored' };
    if (frame.seq <= this.seq) return { kind: 'duplicate' };
    if (frame.seq !== this.seq + 1) {
      this.synced = false;
      return { kind: 'gap', resumeSeq: this.seq };
    }
    this.seq = frame.seq;
    this.ticker = { ...this.ticker, seq: frame.seq };
    switch (frame.op) {
      case 'create':
        if (!this.knows(frame.entry.id)) this.adjustCount(+1);
        return this.upsert(frame.entry, { live: true });
      case 'update':
        return this.upsert(frame.entry, { live: false });
      case 'delete':
        return this.remove(frame.entry.id);
      case 'ticker':
        this.ticker = { ...frame.ticker_state, seq: frame.seq };
        return { kind: 'ticker', ticker: this.ticker };
      default:
        return { kind: 'ignored' };
    }
  }

  /** A page answers the oldest unanswered `more`; one for an earlier subscription is dropped. */
  applyPage(frame) {
    const generation = this.outstandingMores.shift();
    if (generation !== this.generation || normalizeOrder(frame.order) !== this.order) {
      return { kind: 'ignored' };
    }
    let added = 0;
    for (const entry of frame.entries) {
      const known = this.find(entry.id);
      if (known && known.revision >= entry.revision) continue;
      if (this.pending.has(entry.id)) {
        this.pending.set(entry.id, entry);
      } else {
        if (!known) added += 1;
        this.entries.set(entry.id, entry);
      }
    }
    this.cursor = frame.cursor ?? null;
    if (frame.entries.length) this.boundaryId = frame.entries.at(-1).id;
    return { kind: 'page', added };
  }

  /** An `error` frame; one of these answers a `more` when one is outstanding. */
  applyError(frame) {
    const answersMore = ['internal', 'rate_limited', 'bad_request'].includes(frame.code);
    if (answersMore && this.outstandingMores.length) this.outstandingMores.shift();
    const fatal = frame.code === 'not_found' && (frame.ticker ?? this.tickerId) === this.tickerId;
    return { kind: 'error', code: frame.code, fatal };
  }

  /** Shows the held entries; returns them, newest first. */
  revealPending() {
    const revealed = sortEntries([...this.pending.values()], 'newest');
    for (const entry of revealed) this.entries.set(entry.id, entry);
    this.pending.clear();
    return revealed;
  }

  /** The shown entries in display order: pinned on top, then the stream in the ticker's order. */
  list() {
    return sortEntries([...this.entries.values()], this.order);
  }

  /** Key events among the shown entries, in the stream's order (pinned ones at their place). */
  keyEntries() {
    const byId = this.order === 'oldest' ? (a, b) => a.id - b.id : (a, b) => b.id - a.id;
    return [...this.entries.values()].filter((entry) => entry.key).sort(byId);
  }

  /** Where an entry is: 'shown', 'pending', 'later' (on a page not loaded yet) or 'absent'. */
  locate(id) {
    if (this.entries.has(id)) return 'shown';
    if (this.pending.has(id)) return 'pending';
    if (this.hasSnapshot && !this.covers(id)) return 'later';
    return 'absent';
  }

  find(id) {
    return this.entries.get(id) ?? this.pending.get(id) ?? null;
  }

  knows(id) {
    return this.entries.has(id) || this.pending.has(id);
  }

  maxShownId() {
    let max = null;
    for (const id of this.entries.keys()) if (max === null || id > max) max = id;
    return max;
  }

  /** Whether an id lies in the loaded run of the ticker (see the rules at the top). */
  covers(id) {
    if (this.cursor === null || this.boundaryId === null) return true;
    return this.order === 'newest' ? id >= this.boundaryId : id <= this.boundaryId;
  }

  upsert(entry, { live }) {
    const known = this.find(entry.id);
    if (known && known.revision >= entry.revision) return { kind: 'stale', entry: known };
    if (this.pending.has(entry.id)) {
      this.pending.set(entry.id, entry);
      return { kind: 'pending-update', entry };
    }
    if (known) {
      this.entries.set(entry.id, entry);
      return { kind: 'update', entry, previous: known };
    }
    if (!this.covers(entry.id)) return { kind: 'outside', entry };
    if (live && this.holding && this.order === 'newest') {
      this.pending.set(entry.id, entry);
      return { kind: 'held', entry };
    }
    this.entries.set(entry.id, entry);
    return { kind: live ? 'create' : 'update', entry, previous: null };
  }

  remove(id) {
    this.adjustCount(-1);
    const removed = this.entries.delete(id);
    const wasPending = this.pending.delete(id);
    return { kind: 'delete', id, removed, wasPending };
  }

  adjustCount(delta) {
    if (!this.ticker) return;
    this.ticker = { ...this.ticker, entry_count: Math.max(0, this.entryCount + delta) };
  }
}
