// Every string a reader sees, in one table per language. German is the default: the ticker
// is written for a German newsroom, and the server renders its few labels in German too.
// Plural forms are objects keyed by Intl.PluralRules categories ("one", "other").
// Placeholders look like {n}; every language must use the same ones.

export const DEFAULT_LANGUAGE = 'de';
export const LANGUAGES = ['de', 'en'];

export const STRINGS = {
  de: {
    brand: 'Liveticker',
    newsticker: 'Newsticker',
    skip_to_entries: 'Zu den Einträgen',
    entries_word: { one: 'Eintrag', other: 'Einträge' },
    entries_count: { one: '{n} Eintrag', other: '{n} Einträge' },
    status_live: 'Live',
    status_ended: 'Beendet',
    status_connecting: 'Verbinde…',
    status_reconnecting: 'Verbinde erneut…',
    badge_hint_live: 'Verbunden: Neue Einträge erscheinen sofort.',
    badge_hint_connecting: 'Die Verbindung wird aufgebaut.',
    badge_hint_reconnecting: 'Verbindung unterbrochen. Neue Einträge erscheinen, sobald sie wieder steht.',
    badge_hint_ended: 'Dieser Ticker ist beendet.',
    order_label: 'Reihenfolge',
    order_newest: 'Neueste oben',
    order_oldest: 'Älteste oben',
    flag_pinned: 'Angeheftet',
    flag_key: 'Wichtig',
    flag_updated: 'aktualisiert',
    updated_at: 'Aktualisiert: {time}',
    key_events: 'Das Wichtigste',
    entries_region: 'Einträge',
    new_entries: { one: '{n} neuer Eintrag', other: '{n} neue Einträge' },
    announce_entry: 'Neuer Eintrag: {summary}',
    load_more: 'Mehr laden',
    loading: 'Lade Einträge…',
    end_of_ticker: 'Ende des Tickers – alle Einträge sind geladen.',
    end_live_bottom: 'Neue Einträge erscheinen hier, sobald sie veröffentlicht sind.',
    no_entries: 'Noch keine Einträge.',
    yesterday: 'gestern',
    ticker_not_found: 'Diesen Ticker gibt es nicht.',
    entry_not_found: 'Der verlinkte Eintrag ist nicht mehr vorhanden.',
    load_failed: 'Das hat nicht geklappt. Bitte versuchen Sie es gleich noch einmal.',
    directory_title: 'Alle Liveticker',
    directory_empty: 'Noch gibt es keine Ticker.',
    directory_failed: 'Die Ticker konnten nicht geladen werden.',
    feed_link: 'Atom-Feed',
    untitled_entry: 'Eintrag vom {time}',
  },
  en: {
    brand: 'Liveticker',
    newsticker: 'News ticker',
    skip_to_entries: 'Skip to entries',
    entries_word: { one: 'entry', other: 'entries' },
    entries_count: { one: '{n} entry', other: '{n} entries' },
    status_live: 'Live',
    status_ended: 'Ended',
    status_connecting: 'Connecting…',
    status_reconnecting: 'Reconnecting…',
    badge_hint_live: 'Connected: new entries appear instantly.',
    badge_hint_connecting: 'Connecting to the ticker.',
    badge_hint_reconnecting: 'Connection lost. New entries appear as soon as it is back.',
    badge_hint_ended: 'This ticker has ended.',
    order_label: 'Order',
    order_newest: 'Newest first',
    order_oldest: 'Oldest first',
    flag_pinned: 'Pinned',
    flag_key: 'Key event',
    flag_updated: 'updated',
    updated_at: 'Updated: {time}',
    key_events: 'Key events',
    entries_region: 'Entries',
    new_entries: { one: '{n} new entry', other: '{n} new entries' },
    announce_entry: 'New entry: {summary}',
    load_more: 'Load more',
    loading: 'Loading entries…',
    end_of_ticker: 'End of the ticker – all entries are loaded.',
    end_live_bottom: 'New entries appear here as soon as they are published.',
    no_entries: 'No entries yet.',
    yesterday: 'yesterday',
    ticker_not_found: 'This ticker does not exist.',
    entry_not_found: 'The linked entry is no longer available.',
    load_failed: 'That did not work. Please try again in a moment.',
    directory_title: 'All live tickers',
    directory_empty: 'There are no tickers yet.',
    directory_failed: 'The tickers could not be loaded.',
    feed_link: 'Atom feed',
    untitled_entry: 'Entry of {time}',
  },
};

/** The locale used for dates, numbers and plural rules of a language. */
export const LOCALES = { de: 'de-DE', en: 'en-GB' };

/**
 * Chooses the reader's language: an explicit choice (?lang= or data-lang) wins, then the
 * browser's preferred languages in order, then German.
 */
export function pickLanguage({ explicit = null, preferred = [] } = {}) {
  const supported = (tag) => {
    const base = String(tag ?? '').toLowerCase().split(/[-_]/)[0];
    return LANGUAGES.includes(base) ? base : null;
  };
  return supported(explicit) ?? preferred.map(supported).find(Boolean) ?? DEFAULT_LANGUAGE;
}

/**
 * A translator for one language: t('new_entries', { n: 3 }) → "3 neue Einträge".
 * A missing key throws instead of showing the key: a placeholder must never reach a reader,
 * and the unit tests catch the throw long before a reader could.
 */
export function translator(lang) {
  const table = STRINGS[lang] ?? STRINGS[DEFAULT_LANGUAGE];
  const locale = LOCALES[lang] ?? LOCALES[DEFAULT_LANGUAGE];
  const plurals = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale);
  const show = (value) => (typeof value === 'number' ? numbers.format(value) : String(value));
  const t = (key, params = {}) => {
    let text = table[key];
    if (text === undefined) {
      throw new Error(`i18n: no string "${key}"`);
    }
    if (typeof text === 'object') {
      text = text[plurals.select(Number(params.n ?? 0))] ?? text.other;
    }
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? show(params[name]) : match));
  };
  t.lang = lang in STRINGS ? lang : DEFAULT_LANGUAGE;
  t.locale = locale;
  t.number = (n) => numbers.format(n);
  return t;
}

/** The placeholder names ({n}, {time}) a string or plural object uses, sorted. */
export function placeholdersOf(value) {
  const texts = typeof value === 'object' ? Object.values(value) : [value];
  const names = new Set();
  for (const text of texts) {
    for (const [, name] of text.matchAll(/\{(\w+)\}/g)) names.add(name);
  }
  return [...names].sort();
}
