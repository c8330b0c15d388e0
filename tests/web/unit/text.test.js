import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { sortTickers } from '../../../web/lib/directory.js';
import { entrySummary, markdownToText, truncate } from '../../../web/lib/text.js';

describe('entry summaries', () => {
  it('prefers the title', () => {
    assert.equal(entrySummary({ title: 'Gespräch läuft', body: 'Text' }), 'Gespräch läuft');
  });

  it('reduces Markdown to its words', () => {
    assert.equal(markdownToText('**Eilmeldung:** Das [Gespräch](https://x.example) ist _beendet_.'), 'Eilmeldung: Das Gespräch ist beendet.');
    assert.equal(markdownToText('- **Moskau:** 23:30 Uhr\n- **Berlin:** 21:30 Uhr'), 'Moskau: 23:30 Uhr Berlin: 21:30 Uhr');
    assert.equal(markdownToText('# Lage\n\n> „Zitat“'), 'Lage „Zitat“');
  });

  it('cuts long text at a word', () => {
    assert.equal(truncate('Das Telefonat hat um 21:30 Uhr begonnen', 20), 'Das Telefonat hat…');
    assert.equal(truncate('kurz', 20), 'kurz');
    assert.ok(entrySummary({ title: null, body: 'Wort '.repeat(100) }).length <= 110);
  });
});

describe('ticker list', () => {
  it('shows live tickers first, newest first', () => {
    const tickers = [
      { id: 'a', status: 'ended', created_at: '2021-12-31T00:00:00.000Z' },
      { id: 'b', status: 'live', created_at: '2021-12-01T00:00:00.000Z' },
      { id: 'c', status: 'live', created_at: '2021-12-30T00:00:00.000Z' },
    ];
    assert.deepEqual(sortTickers(tickers).map((t) => t.id), ['c', 'b', 'a']);
  });
});
