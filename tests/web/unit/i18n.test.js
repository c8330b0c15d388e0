import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { DEFAULT_LANGUAGE, LANGUAGES, pickLanguage, placeholdersOf, STRINGS, translator } from '../../../web/lib/i18n.js';

const webRoot = new URL('../../../web/', import.meta.url);
const read = (path) => readFileSync(new URL(path, webRoot), 'utf8');

// Marks of text that is not finished: template placeholders, notes to self, other scripts.
// The page this ticker was modelled on showed readers a Russian template placeholder.
const UNFINISHED = [/TODO/i, /FIXME/i, /XXX/, /lorem/i, /placeholder/i, /\p{Script=Cyrillic}/u, /^\s|\s$/, /\{\{/];

function textsOf(value) {
  return typeof value === 'object' ? Object.values(value) : [value];
}

describe('string table', () => {
  it('has German and English, German by default', () => {
    assert.deepEqual(Object.keys(STRINGS).sort(), [...LANGUAGES].sort());
    assert.equal(DEFAULT_LANGUAGE, 'de');
  });

  it('has the same keys in every language', () => {
    const keys = Object.keys(STRINGS.de).sort();
    for (const lang of LANGUAGES) assert.deepEqual(Object.keys(STRINGS[lang]).sort(), keys, lang);
  });

  it('has no empty or unfinished string', () => {
    for (const lang of LANGUAGES) {
      for (const [key, value] of Object.entries(STRINGS[lang])) {
        for (const text of textsOf(value)) {
          assert.equal(typeof text, 'string', `${lang}.${key}`);
          assert.ok(text.trim().length > 0, `${lang}.${key} is empty`);
          for (const mark of UNFINISHED) assert.doesNotMatch(text, mark, `${lang}.${key}: ${text}`);
        }
      }
    }
  });

  it('uses the same placeholders and plural forms in every language', () => {
    for (const [key, german] of Object.entries(STRINGS.de)) {
      const english = STRINGS.en[key];
      assert.deepEqual(placeholdersOf(english), placeholdersOf(german), key);
      assert.equal(typeof english, typeof german, key);
      if (typeof german === 'object') {
        for (const lang of LANGUAGES) assert.ok(STRINGS[lang][key].one && STRINGS[lang][key].other, `${lang}.${key} plural`);
      }
    }
  });

  it('matches the labels the server writes into the page', () => {
    // tickerd renders these in German (for readers without JavaScript); the client swaps them.
    assert.equal(STRINGS.de.flag_pinned, 'Angeheftet');
    assert.equal(STRINGS.de.flag_key, 'Wichtig');
    assert.equal(STRINGS.de.flag_updated, 'aktualisiert');
    assert.equal(STRINGS.de.status_live, 'Live');
    assert.equal(STRINGS.de.status_ended, 'Beendet');
    assert.equal(STRINGS.de.order_newest, 'Neueste oben');
    assert.equal(STRINGS.de.order_oldest, 'Älteste oben');
  });
});

describe('translator', () => {
  it('fills placeholders and picks plural forms', () => {
    const de = translator('de');
    const en = translator('en');
    assert.equal(de('new_entries', { n: 1 }), '1 neuer Eintrag');
    assert.equal(de('new_entries', { n: 3 }), '3 neue Einträge');
    assert.equal(en('new_entries', { n: 1 }), '1 new entry');
    assert.equal(en('entries_count', { n: 45 }), '45 entries');
    assert.equal(de('entries_count', { n: 1234 }), '1.234 Einträge');
    assert.equal(de('announce_entry', { summary: 'Gespräch läuft' }), 'Neuer Eintrag: Gespräch läuft');
  });

  it('throws on a missing key instead of showing it', () => {
    assert.throws(() => translator('de')('no_such_key'), /no string/);
  });

  it('falls back to German for an unknown language', () => {
    assert.equal(translator('fr')('order_newest'), 'Neueste oben');
    assert.equal(translator('fr').lang, 'de');
  });
});

describe('choosing the language', () => {
  it('takes ?lang= first, then the browser, then German', () => {
    assert.equal(pickLanguage({ explicit: 'en', preferred: ['de-DE'] }), 'en');
    assert.equal(pickLanguage({ explicit: 'xx', preferred: ['en-US', 'de'] }), 'en');
    assert.equal(pickLanguage({ preferred: ['fr-FR', 'de-AT'] }), 'de');
    assert.equal(pickLanguage({ preferred: ['fr-FR'] }), 'de');
    assert.equal(pickLanguage({}), 'de');
    assert.equal(pickLanguage({ explicit: 'EN' }), 'en');
  });
});

describe('markup labels', () => {
  const keysIn = (text) => [...text.matchAll(/data-i18n(?:-aria-label)?["']?\s*[=:]\s*["']([a-z_]+)["']/g)].map((m) => m[1]);

  it('names only keys that exist, in index.html and in the embed skeleton', () => {
    const used = [...keysIn(read('index.html')), ...keysIn(read('lib/skeleton.js'))];
    assert.ok(used.length > 8);
    for (const key of used) assert.ok(key in STRINGS.de, `unknown key ${key}`);
  });

  it('writes the German text of the key into index.html for readers without JavaScript', () => {
    const html = read('index.html');
    for (const [, key, text] of html.matchAll(/data-i18n="([a-z_]+)"[^>]*>([^<]*)</g)) {
      const german = STRINGS.de[key];
      const expected = typeof german === 'object' ? german.other : german;
      assert.equal(text, expected, key);
    }
  });

  it('has no Cyrillic or unfinished text anywhere in the client', () => {
    for (const file of ['index.html', 'app.js', 'embed.js', 'lib/ticker_view.js', 'lib/render.js', 'lib/directory.js', 'lib/skeleton.js']) {
      const text = read(file);
      assert.doesNotMatch(text, /\p{Script=Cyrillic}/u, file);
      assert.doesNotMatch(text, /TODO|FIXME/, file);
    }
  });

  it('keeps the server-rendering markers index.html promises, each exactly once', () => {
    const html = read('index.html');
    for (const marker of ['<title>Liveticker</title>', '<!--lt:head-->', '<!--lt:title-->', '<!--lt:description-->', '<!--lt:count-->', '<!--lt:status-->', '<!--lt:entries-->']) {
      assert.equal(html.split(marker).length - 1, 1, marker);
    }
    assert.match(html, /<h1[^>]*id="lt-title"[^>]*><!--lt:title--><\/h1>/);
    assert.match(html, /<p[^>]*id="lt-description"[^>]*><!--lt:description--><\/p>/);
    assert.match(html, /id="lt-entries"[^>]*><!--lt:entries--><\/div>/);
    assert.match(html, /<script type="module" src="\/app\.js"><\/script>/);
  });
});
