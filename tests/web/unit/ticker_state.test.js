import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { normalizeOrder, sortEntries, TickerState } from '../../../web/lib/ticker_state.js';

// Frames as tickerd sends them (protocol/README.md), small enough to read in a test.

function entry(id, extra = {}) {
  return {
    id,
    ticker: 'demo',
    created_at: `2021-12-30T20:${String(id % 60).padStart(2, '0')}:00.000Z`,
    updated_at: `2021-12-30T20:${String(id % 60).padStart(2, '0')}:00.000Z`,
    author: 'jana',
    title: null,
    body: `Eintrag ${id}`,
    html: `<p>Eintrag ${id}</p>\n`,
    image: null,
    pinned: false,
    key: false,
    revision: 1,
    ...extra,
  };
}

function ticker(extra = {}) {
  return {
    id: 'demo',
    title: 'Telefonat',
    description: '',
    status: 'live',
    created_at: '2021-12-30T20:00:00.000Z',
    entry_count: 0,
    seq: 0,
    ...extra,
  };
}

function snapshot({ entries = [], order = 'newest', seq = 10, cursor = null, count = entries.length } = {}) {
  return { type: 'snapshot', ticker: ticker({ seq, entry_count: count }), order, entries, cursor };
}

function page({ entries = [], order = 'newest', cursor = null } = {}) {
  return { type: 'page', ticker: 'demo', order, entries, cursor };
}

function created(seq, e) {
  return { type: 'event', ticker: 'demo', seq, op: 'create', entry: e };
}

function updated(seq, e) {
  return { type: 'event', ticker: 'demo', seq, op: 'update', entry: e };
}

function deleted(seq, id) {
  return { type: 'event', ticker: 'demo', seq, op: 'delete', entry: { id, deleted: true } };
}

function tickerChanged(seq, extra) {
  return { type: 'event', ticker: 'demo', seq, op: 'ticker', ticker_state: ticker({ seq, ...extra }) };
}

const ids = (entries) => entries.map((e) => e.id);

function subscribed(frame, options = {}) {
  const state = new TickerState({ tickerId: 'demo', order: frame.order, ...options });
  state.subscribeMessage({ order: frame.order });
  state.applySnapshot(frame);
  return state;
}

describe('snapshot and live events', () => {
  it('puts live entries on top, newest first', () => {
    const state = subscribed(snapshot({ entries: [entry(3), entry(2), entry(1)], seq: 3 }));
    assert.deepEqual(ids(state.list()), [3, 2, 1]);
    assert.equal(state.applyEvent(created(4, entry(4))).kind, 'create');
    assert.deepEqual(ids(state.list()), [4, 3, 2, 1]);
    assert.equal(state.seq, 4);
    assert.equal(state.entryCount, 4);
  });

  it('appends live entries at the end, oldest first, once everything is loaded', () => {
    const state = subscribed(snapshot({ order: 'oldest', entries: [entry(1), entry(2), entry(3)], seq: 3 }));
    state.applyEvent(created(4, entry(4)));
    assert.deepEqual(ids(state.list()), [1, 2, 3, 4]);
  });

  it('leaves a live entry for a later page when oldest-first has not reached the end', () => {
    const state = subscribed(snapshot({ order: 'oldest', entries: [entry(1), entry(2)], cursor: 'o2', seq: 5, count: 4 }));
    const result = state.applyEvent(created(6, entry(9)));
    assert.equal(result.kind, 'outside');
    assert.deepEqual(ids(state.list()), [1, 2]);
    assert.equal(state.entryCount, 5, 'the count still knows about it');
  });

  it('replaces an edited entry in place and ignores an older revision', () => {
    const state = subscribed(snapshot({ entries: [entry(2), entry(1)], seq: 2 }));
    const result = state.applyEvent(updated(3, entry(1, { body: 'neu', revision: 2 })));
    assert.equal(result.kind, 'update');
    assert.equal(state.find(1).revision, 2);
    assert.deepEqual(ids(state.list()), [2, 1]);
    assert.equal(state.applyEvent(updated(4, entry(1, { revision: 1 }))).kind, 'stale');
    assert.equal(state.find(1).revision, 2);
  });

  it('removes deleted entries and counts down', () => {
    const state = subscribed(snapshot({ entries: [entry(2), entry(1)], seq: 2 }));
    const result = state.applyEvent(deleted(3, 2));
    assert.deepEqual(result, { kind: 'delete', id: 2, removed: true, wasPending: false });
    assert.deepEqual(ids(state.list()), [1]);
    assert.equal(state.entryCount, 1);
  });

  it('counts a delete of an entry that is not loaded', () => {
    const state = subscribed(snapshot({ entries: [entry(9)], cursor: 'n9', seq: 20, count: 9 }));
    assert.equal(state.applyEvent(deleted(21, 3)).removed, false);
    assert.equal(state.entryCount, 8);
  });

  it('takes ticker changes, e.g. the end of the ticker', () => {
    const state = subscribed(snapshot({ entries: [entry(1)], seq: 1 }));
    state.applyEvent(tickerChanged(2, { status: 'ended', entry_count: 1, title: 'Neu' }));
    assert.equal(state.isEnded, true);
    assert.equal(state.ticker.title, 'Neu');
    assert.equal(state.ticker.seq, 2);
  });

  it('ignores events before it is subscribed', () => {
    const state = new TickerState({ tickerId: 'demo' });
    assert.equal(state.applyEvent(created(1, entry(1))).kind, 'ignored');
    state.adoptInitial(snapshot({ entries: [entry(1)], seq: 1 }));
    assert.equal(state.applyEvent(created(2, entry(2))).kind, 'ignored', 'server-rendered state waits for subscribe');
  });
});

describe('pinned entries', () => {
  it('shows pinned entries on top in either order', () => {
    const entries = [entry(5), entry(4, { pinned: true }), entry(3), entry(2, { pinned: true }), entry(1)];
    assert.deepEqual(ids(sortEntries(entries, 'newest')), [4, 2, 5, 3, 1]);
    assert.deepEqual(ids(sortEntries(entries, 'oldest')), [2, 4, 1, 3, 5]);
  });

  it('moves an entry to the top when an edit pins it, and back when unpinned', () => {
    const state = subscribed(snapshot({ entries: [entry(3), entry(2), entry(1)], seq: 3 }));
    state.applyEvent(updated(4, entry(1, { pinned: true, revision: 2 })));
    assert.deepEqual(ids(state.list()), [1, 3, 2]);
    state.applyEvent(updated(5, entry(1, { pinned: false, revision: 3 })));
    assert.deepEqual(ids(state.list()), [3, 2, 1]);
  });

  it('lists key events in the stream order, pinned or not', () => {
    const state = subscribed(
      snapshot({ entries: [entry(4, { key: true }), entry(3), entry(2, { key: true, pinned: true }), entry(1, { key: true })], seq: 4 }),
    );
    assert.deepEqual(ids(state.keyEntries()), [4, 2, 1]);
  });
});

describe('pages', () => {
  it('appends older pages newest-first and ends when the cursor is null', () => {
    const state = subscribed(snapshot({ entries: [entry(6), entry(5)], cursor: 'n5', seq: 6, count: 4 }));
    const more = state.moreMessage({ limit: 2 });
    assert.deepEqual(more, { type: 'more', ticker: 'demo', cursor: 'n5', limit: 2 });
    assert.equal(state.moreMessage(), null, 'one page at a time');
    assert.equal(state.applyPage(page({ entries: [entry(4), entry(3)], cursor: null })).kind, 'page');
    assert.deepEqual(ids(state.list()), [6, 5, 4, 3]);
    assert.equal(state.isComplete, true);
    assert.equal(state.moreMessage(), null);
  });

  it('appends newer pages oldest-first, then takes live entries at the end', () => {
    const state = subscribed(snapshot({ order: 'oldest', entries: [entry(1), entry(2)], cursor: 'o2', seq: 3, count: 3 }));
    state.moreMessage();
    state.applyPage(page({ order: 'oldest', entries: [entry(3)], cursor: null }));
    state.applyEvent(created(4, entry(4)));
    assert.deepEqual(ids(state.list()), [1, 2, 3, 4]);
  });

  it('does not duplicate an entry that a page repeats', () => {
    const state = subscribed(snapshot({ entries: [entry(6), entry(5)], cursor: 'n5', seq: 6 }));
    state.moreMessage();
    const result = state.applyPage(page({ entries: [entry(5), entry(4)], cursor: 'n4' }));
    assert.equal(result.added, 1);
    assert.deepEqual(ids(state.list()), [6, 5, 4]);
  });

  it('drops a page answering a more from before a resubscribe or in the other order', () => {
    const state = subscribed(snapshot({ entries: [entry(6), entry(5)], cursor: 'n5', seq: 6 }));
    state.moreMessage();
    state.subscribeMessage({ order: 'oldest' });
    state.applySnapshot(snapshot({ order: 'oldest', entries: [entry(1), entry(2)], cursor: 'o2', seq: 6 }));
    assert.equal(state.applyPage(page({ entries: [entry(4), entry(3)], cursor: 'n3' })).kind, 'ignored');
    assert.deepEqual(ids(state.list()), [1, 2]);
    assert.equal(state.cursor, 'o2');
    state.moreMessage();
    assert.equal(state.applyPage(page({ order: 'newest', entries: [entry(4)], cursor: 'n4' })).kind, 'ignored');
  });

  it('frees the page slot when the connection drops or an error answers', () => {
    const state = subscribed(snapshot({ entries: [entry(6)], cursor: 'n6', seq: 6 }));
    state.moreMessage();
    state.applyError({ type: 'error', code: 'internal', message: 'could not read the page', ticker: 'demo' });
    assert.equal(state.loadingMore, false);
    state.moreMessage();
    state.connectionLost();
    assert.equal(state.loadingMore, false);
  });

  it('locates entries: shown, on a later page, or gone', () => {
    const state = subscribed(snapshot({ entries: [entry(9), entry(7)], cursor: 'n7', seq: 9 }));
    assert.equal(state.locate(9), 'shown');
    assert.equal(state.locate(8), 'absent', 'inside the loaded run but not there: deleted');
    assert.equal(state.locate(3), 'later');
  });
});

describe('seq gaps and resume', () => {
  it('detects a gap and stops applying until resubscribed with resume_seq', () => {
    const state = subscribed(snapshot({ entries: [entry(1)], seq: 5 }));
    assert.deepEqual(state.applyEvent(created(7, entry(3))), { kind: 'gap', resumeSeq: 5 });
    assert.equal(state.applyEvent(created(8, entry(4))).kind, 'ignored');
    const message = state.subscribeMessage({ limit: 20 });
    assert.deepEqual(message, { type: 'subscribe', ticker: 'demo', order: 'newest', limit: 20, resume_seq: 5 });
    assert.equal(state.applyResumed({ type: 'resumed', ticker: 'demo', seq: 5 }).kind, 'resumed');
    state.applyEvent(created(6, entry(2)));
    state.applyEvent(created(7, entry(3)));
    assert.deepEqual(ids(state.list()), [3, 2, 1]);
    assert.equal(state.seq, 7);
  });

  it('drops events replayed after a resume that it has already seen', () => {
    const state = subscribed(snapshot({ entries: [entry(1)], seq: 1 }));
    state.applyEvent(created(2, entry(2)));
    state.applyEvent(created(3, entry(3)));
    state.connectionLost();
    state.subscribeMessage();
    state.applyResumed({ type: 'resumed', ticker: 'demo', seq: 3 });
    for (const frame of [created(2, entry(2)), created(3, entry(3)), created(4, entry(4))]) state.applyEvent(frame);
    assert.deepEqual(ids(state.list()), [4, 3, 2, 1]);
    assert.equal(state.entryCount, 4);
  });

  it('treats a create for an entry it already has as an upsert, not a second entry', () => {
    const state = subscribed(snapshot({ entries: [entry(2), entry(1)], seq: 2, count: 2 }));
    state.applyEvent(created(3, entry(2)));
    assert.deepEqual(ids(state.list()), [2, 1]);
    assert.equal(state.entryCount, 2);
  });

  it('resumes only in the same order; an order change asks for a fresh snapshot', () => {
    const state = subscribed(snapshot({ entries: [entry(1)], seq: 4 }));
    assert.equal(state.subscribeMessage({ order: 'newest' }).resume_seq, 4);
    assert.equal('resume_seq' in state.subscribeMessage({ order: 'oldest' }), false);
    assert.equal('resume_seq' in state.subscribeMessage({ order: 'newest', resume: false }), false);
  });

  it('takes a resumed frame for another seq as a gap', () => {
    const state = subscribed(snapshot({ entries: [entry(1)], seq: 4 }));
    state.subscribeMessage();
    assert.equal(state.applyResumed({ type: 'resumed', ticker: 'demo', seq: 3 }).kind, 'gap');
  });

  it('replaces the list with a snapshot after a reconnect, with nothing twice', () => {
    const state = subscribed(snapshot({ entries: [entry(3), entry(2), entry(1)], seq: 3 }));
    state.connectionLost();
    state.subscribeMessage();
    state.applySnapshot(snapshot({ entries: [entry(5), entry(3), entry(2, { revision: 2 }), entry(1)], seq: 9 }));
    assert.deepEqual(ids(state.list()), [5, 3, 2, 1]);
    assert.equal(state.find(2).revision, 2);
    assert.equal(state.applyEvent(created(9, entry(5))).kind, 'duplicate');
  });
});

describe('holding new entries while the reader is away from the top', () => {
  it('holds live entries and reveals them on request', () => {
    const state = subscribed(snapshot({ entries: [entry(2), entry(1)], seq: 2 }));
    state.holding = true;
    assert.equal(state.applyEvent(created(3, entry(3))).kind, 'held');
    assert.equal(state.applyEvent(created(4, entry(4))).kind, 'held');
    assert.deepEqual(ids(state.list()), [2, 1]);
    assert.equal(state.pending.size, 2);
    assert.equal(state.entryCount, 4);
    assert.deepEqual(ids(state.revealPending()), [4, 3]);
    assert.deepEqual(ids(state.list()), [4, 3, 2, 1]);
  });

  it('edits and deletes a held entry where it waits', () => {
    const state = subscribed(snapshot({ entries: [entry(1)], seq: 1 }));
    state.holding = true;
    state.applyEvent(created(2, entry(2)));
    state.applyEvent(created(3, entry(3)));
    assert.equal(state.applyEvent(updated(4, entry(2, { revision: 2 }))).kind, 'pending-update');
    assert.equal(state.applyEvent(deleted(5, 3)).wasPending, true);
    assert.deepEqual([...state.pending.keys()], [2]);
    assert.equal(state.pending.get(2).revision, 2);
  });

  it('never holds in oldest-first order', () => {
    const state = subscribed(snapshot({ order: 'oldest', entries: [entry(1)], seq: 1 }));
    state.holding = true;
    assert.equal(state.applyEvent(created(2, entry(2))).kind, 'create');
  });

  it('holds the entries a reconnect snapshot brings above what the reader saw', () => {
    const state = subscribed(snapshot({ entries: [entry(2), entry(1)], seq: 2 }));
    state.holding = true;
    state.connectionLost();
    state.subscribeMessage();
    state.applySnapshot(snapshot({ entries: [entry(4), entry(3), entry(2), entry(1)], seq: 4 }));
    assert.deepEqual(ids(state.list()), [2, 1]);
    assert.deepEqual([...state.pending.keys()].sort(), [3, 4]);
  });
});

describe('orders', () => {
  it('normalises anything but "oldest" to "newest"', () => {
    assert.equal(normalizeOrder('oldest'), 'oldest');
    assert.equal(normalizeOrder('newest'), 'newest');
    assert.equal(normalizeOrder(null), 'newest');
    assert.equal(normalizeOrder('sideways'), 'newest');
  });
});
