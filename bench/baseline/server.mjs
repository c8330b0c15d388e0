// The baseline for bench/fanout: the plain Node.js broadcast server a team writes in an
// afternoon on the `ws` package, with no persistence, no resume and no per-reader bounds. It is
// the yardstick tickerd's fan-out is measured against (bench/run prints the ratios).
//
// Readers send {"type":"subscribe",...} and get {"type":"snapshot","entries":[...]} with the
// last 20 entries, then {"type":"event","op":"create","entry":{...}} for every new one. A
// publisher sends {"type":"publish","body":"..."} over its own WebSocket (instead of tickerd's
// HTTP API), and the entry goes to every subscribed reader.
//
// Usage: node server.mjs [--port 8090] [--host 127.0.0.1]
import { WebSocketServer, WebSocket } from 'ws';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const host = option('--host', process.env.BASELINE_HOST ?? '127.0.0.1');
const port = Number(option('--port', process.env.BASELINE_PORT ?? '8090'));
const keep = 20; // entries kept for the snapshot, like tickerd's default first page

const entries = []; // newest first
const readers = new Set();
let nextId = 1;

// Compression off, as in tickerd: it would cost CPU per reader on every event.
const wss = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (ws) => {
  ws.on('error', () => ws.terminate());
  ws.on('close', () => readers.delete(ws));
  ws.on('message', (data, isBinary) => {
    let msg;
    try {
      msg = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      ws.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'malformed JSON' }));
      return;
    }
    if (msg?.type === 'subscribe') {
      readers.add(ws);
      const limit = Number.isInteger(msg.limit) ? Math.min(Math.max(msg.limit, 1), keep) : keep;
      ws.send(JSON.stringify({ type: 'snapshot', entries: entries.slice(0, limit) }));
    } else if (msg?.type === 'publish' && typeof msg.body === 'string') {
      const entry = { id: nextId++, created_at: new Date().toISOString(), body: msg.body };
      entries.unshift(entry);
      if (entries.length > keep) entries.pop();
      // Serialized once, sent to everyone: the broadcast example from the ws README.
      const frame = JSON.stringify({ type: 'event', op: 'create', entry });
      for (const reader of readers) {
        if (reader.readyState === WebSocket.OPEN) reader.send(frame);
      }
    } else {
      ws.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'unknown message' }));
    }
  });
});

wss.on('listening', () => {
  const address = wss.address();
  console.log(`baseline listening on ws://${address.address}:${address.port}`);
});
wss.on('error', (e) => {
  console.error(`baseline cannot serve: ${e.message}`);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
