// One WebSocket to tickerd that comes back by itself: exponential backoff with jitter, so that
// a restarted server is not hit by every reader at the same instant. What to send on (re)open
// and what a frame means is the caller's business (onOpen, onFrame).

/**
 * Delay before reconnect attempt `attempt` (0-based): the ceiling doubles from baseMs up to
 * maxMs, and the delay is drawn from its upper half ("equal jitter"): never instant, never
 * synchronised across readers.
 */
export function backoffDelay(attempt, { baseMs = 500, maxMs = 30_000, random = Math.random } = {}) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The ws:// or wss:// URL of /ws at an http(s) origin. */
export function socketUrl(origin) {
  const url = new URL('/ws', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class Connection {
  /**
   * status: 'idle' → 'connecting' → 'open' → ('reconnecting' → 'connecting' → 'open')* → 'stopped'
   */
  constructor({
    url,
    onOpen = () => {},
    onFrame = () => {},
    onStatus = () => {},
    WebSocketImpl = globalThis.WebSocket,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (id) => clearTimeout(id),
    random = Math.random,
    baseMs = 500,
    maxMs = 30_000,
  }) {
    Object.assign(this, { url, onOpen, onFrame, onStatus, WebSocketImpl, setTimer, clearTimer, random, baseMs, maxMs });
    this.status = 'idle';
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.nextDelayMs = null;
  }

  start() {
    if (this.status === 'idle' || this.status === 'stopped') this.open();
  }

  stop() {
    this.cancelTimer();
    this.setStatus('stopped');
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  /** Sends a JSON message when open; returns whether it went out. */
  send(message) {
    if (this.status !== 'open' || !this.socket) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Skips the wait (the browser came back online, or the reader asked). */
  reconnectNow() {
    if (this.status !== 'reconnecting') return;
    this.cancelTimer();
    this.open();
  }

  /** Drops the current socket and reconnects as after a failure (e.g. a protocol mix-up). */
  restart() {
    if (this.status === 'stopped' || this.status === 'idle') return;
    const socket = this.socket;
    this.handleClose(socket);
    socket?.close(4000);
  }

  open() {
    this.setStatus('connecting');
    let socket;
    try {
      socket = new this.WebSocketImpl(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let greeted = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setStatus('open');
      this.onOpen();
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket) return;
      if (!greeted) {
        // Only a server that answers counts as recovered; one that accepts and then drops us
        // keeps backing off.
        greeted = true;
        this.attempt = 0;
      }
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return; // not ours to show; the server only sends JSON
      }
      this.onFrame(frame);
    };
    socket.onclose = () => this.handleClose(socket);
    socket.onerror = () => {}; // a close event always follows
  }

  handleClose(socket) {
    if (this.socket !== socket || this.status === 'stopped') return;
    this.socket = null;
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    this.nextDelayMs = backoffDelay(this.attempt, { baseMs: this.baseMs, maxMs: this.maxMs, random: this.random });
    this.attempt += 1;
    this.setStatus('reconnecting');
    this.cancelTimer();
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.open();
    }, this.nextDelayMs);
  }

  cancelTimer() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.onStatus(status);
  }
}
