// Prints bench/run's comparison table from the JSON lines that bench/fanout --json wrote (one
// per run, with "workload" and "server" added): per workload the figures of tickerd and the
// baseline and the ratio tickerd/baseline. With several rounds, each server's quietest run is
// shown: the one during which other work on the machine took the least CPU, as that is what
// skews the figures on shared cores (the JSON lines keep every run).
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim());
const runs = lines.map((l) => JSON.parse(l));

const fixed = (x, digits = 0) =>
  x === undefined ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const perDelivery = (seconds, r) =>
  typeof seconds === 'number' && r.received > 0 ? (seconds * 1e6) / r.received : undefined;
const othersCores = (r) =>
  typeof r.machine_cpu_seconds === 'number' && r.window_seconds > 0
    ? Math.max(0, r.machine_cpu_seconds - (r.server_cpu_seconds ?? 0) - r.client_cpu_seconds) / r.window_seconds
    : undefined;
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`);

const columns = [
  ['deliveries/s', (r) => r.deliveries_per_second, 0],
  ['p99 ms', (r) => r.latency_p99_ms, 1],
  ['p50 ms', (r) => r.latency_p50_ms, 1],
  ['KiB/conn', (r) => (r.bytes_per_connection == null ? undefined : r.bytes_per_connection / 1024), 1],
  // CPU per delivery: the efficiency figure, less at the mercy of how the two cores were shared.
  ['srv us/deliv', (r) => perDelivery(r.server_cpu_seconds, r), 2],
  ['posts/s', (r) => r.post_rate, 1],
  ['frame B', (r) => r.frame_bytes, 0],
  ['client us/deliv', (r) => perDelivery(r.client_cpu_seconds, r), 2],
  ['missing', (r) => r.missing, 0],
  ['connect s', (r) => r.connect_seconds, 2],
  // Cores' worth of CPU that neither the server nor bench/fanout used meanwhile: other work on
  // the machine. Well above 0, the run's figures are low.
  ['others cores', (r) => othersCores(r), 2],
];
const ratioColumns = 5; // the first five figures compare; the rest are context

const rows = [];
const workloads = [...new Set(runs.map((r) => r.workload))];
for (const w of workloads) {
  const [name, n, m, rate, payload = '500'] = w.split(':');
  const label = `${name}: ${Number(n).toLocaleString('en-US')} subs, ${m} @ ${rate}/s, ${payload} B`;
  const figures = {};
  for (const server of ['tickerd', 'baseline']) {
    const mine = runs.filter((r) => r.workload === w && r.server === server);
    const quietest = mine.reduce(
      (best, r) => (best === undefined || (othersCores(r) ?? Infinity) < (othersCores(best) ?? Infinity) ? r : best),
      undefined,
    );
    figures[server] = columns.map(([, get]) => (quietest === undefined ? undefined : get(quietest)));
    rows.push([server === 'tickerd' ? label : '', server, ...figures[server].map((x, i) => fixed(x, columns[i][2]))]);
  }
  // Ratios for the figures where they mean something; missing and connect time are absolute.
  rows.push(['', 'tickerd/baseline', ...figures.tickerd.map((x, i) => (i < ratioColumns ? ratio(x, figures.baseline[i]) : ''))]);
}

const header = ['workload', 'server', ...columns.map(([title]) => title)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) =>
  cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
