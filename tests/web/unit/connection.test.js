import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backoffDelay, Connection, socketUrl } from '../../../web/lib/connection.js';

describe('backoff', () => {
  it('doubles the ceiling up to the maximum and draws from its upper half', () => {
    const low = () => 0;
    const high = () => 0.999999;
    assert.equal(backoffDelay(0, { random: low }), 250);
    assert.equal(backoffDelay(0, { random: high }), 500);
    assert.equal(backoffDelay(3, { random: low }), 2000);
    assert.equal(backoffDelay(3, { random: high }), 4000);
    assert.equal(backoffDelay(20, { random: high }), 30_000);
    assert.equal(backoffDelay(20, { random: low }), 15_000);
  });

  it('spreads readers out (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    assert.ok(delays.size > 10);
    for (const delay of delays) assert.ok(delay >= 4000 && delay <= 8000, String(delay));
  });
});

describe('socket URL', () => {
  it('uses ws for http and wss for https', () => {
    assert.equal(socketUrl('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/ws');
    assert.equal(socketUrl('https://ticker.example.org'), 'wss://ticker.example.org/ws');
  });
});

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closed = false;
    FakeSocket.all.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closed = true;
  }
  // test side
  open() {
    this.onopen?.();
  }
  receive(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.onclose?.({ code: 1006 });
  }
}

function harness() {
  FakeSocket.all = [];
  const timers = [];
  const statuses = [];
  const frames = [];
  const connection = new Connection({
    url: 'ws://test/ws',
    WebSocketImpl: FakeSocket,
    setTimer: (fn, ms) => timers.push({ fn, ms }) - 1,
    clearTimer: (id) => (timers[id] = null),
    random: () => 0.5,
    onOpen: () => connection.send({ type: 'subscribe', ticker: 'demo' }),
    onFrame: (frame) => frames.push(frame),
    onStatus: (status) => statuses.push(status),
  });
  const runTimer = () => {
    const index = timers.findLastIndex(Boolean);
    const timer = timers[index];
    timers[index] = null;
    timer.fn();
    return timer.ms;
  };
  return { connection, timers, statuses, frames, runTimer, socket: () => FakeSocket.all.at(-1) };
}

describe('connection', () => {
  it('subscribes on open and passes frames on', () => {
    const { connection, statuses, frames, socket } = harness();
    connection.start();
    socket().open();
    assert.deepEqual(socket().sent, [{ type: 'subscribe', ticker: 'demo' }]);
    socket().receive({ type: 'resumed', ticker: 'demo', seq: 1 });
    assert.deepEqual(frames, [{ type: 'resumed', ticker: 'demo', seq: 1 }]);
    assert.deepEqual(statuses, ['connecting', 'open']);
  });

  it('reconnects with growing delays and subscribes again each time', () => {
    const { connection, statuses, runTimer, socket } = harness();
    connection.start();
    socket().drop();
    assert.equal(connection.status, 'reconnecting');
    const first = runTimer();
    socket().drop();
    const second = runTimer();
    socket().drop();
    const third = runTimer();
    assert.deepEqual([first, second, third], [375, 750, 1500]);
    socket().open();
    assert.deepEqual(socket().sent, [{ type: 'subscribe', ticker: 'demo' }]);
    assert.equal(FakeSocket.all.length, 4);
    assert.deepEqual(statuses.slice(0, 3), ['connecting', 'reconnecting', 'connecting']);
  });

  it('starts over with short delays once a server has answered', () => {
    const { connection, runTimer, socket } = harness();
    connection.start();
    socket().drop();
    runTimer();
    socket().drop();
    runTimer();
    socket().open();
    socket().receive({ type: 'snapshot' });
    socket().drop();
    assert.equal(runTimer(), 375);
  });

  it('keeps backing off from a server that accepts and drops without a word', () => {
    const { connection, runTimer, socket } = harness();
    connection.start();
    socket().open();
    socket().drop();
    runTimer();
    socket().open();
    socket().drop();
    assert.equal(runTimer(), 750);
  });

  it('does not send while not open and stays stopped after stop()', () => {
    const { connection, timers, socket } = harness();
    connection.start();
    assert.equal(connection.send({ type: 'more' }), false);
    connection.stop();
    assert.equal(socket().closed, true);
    socket().drop();
    assert.equal(connection.status, 'stopped');
    assert.equal(timers.filter(Boolean).length, 0);
  });

  it('reconnects at once when asked (the browser came back online)', () => {
    const { connection, socket } = harness();
    connection.start();
    socket().drop();
    connection.reconnectNow();
    assert.equal(FakeSocket.all.length, 2);
    assert.equal(connection.status, 'connecting');
  });
});
