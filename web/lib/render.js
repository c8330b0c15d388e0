// Entry DOM, built exactly like the server-rendered markup (see index.html), so one stylesheet
// serves both and server-rendered entries are taken over as they are.
//
// Security: only `entry.html`, which the server renders from Markdown in safe mode, is inserted
// as HTML. Every other value from the wire goes in as text or as an attribute value.

import { formatEntryTime, formatFullDateTime } from './time.js';

/** Builds `<article class="lt-entry…">` for an entry. `view` = { t, timeZone, now }. */
export function renderEntry(doc, entry, view) {
  const article = doc.createElement('article');
  article.setAttribute('class', entryClass(entry));
  article.setAttribute('id', `entry-${entry.id}`);
  article.setAttribute('data-id', String(entry.id));
  article.setAttribute('data-revision', String(entry.revision));

  const meta = append(doc, article, 'div', 'lt-meta');
  const time = append(doc, meta, 'time', 'lt-time');
  time.setAttribute('datetime', entry.created_at);
  if (entry.pinned) append(doc, meta, 'span', 'lt-flag lt-flag-pinned');
  if (entry.key) append(doc, meta, 'span', 'lt-flag lt-flag-key');
  if (entry.revision > 1) append(doc, meta, 'span', 'lt-updated');

  if (entry.title) append(doc, article, 'h2', 'lt-entry-title').textContent = entry.title;

  const body = append(doc, article, 'div', 'lt-body');
  body.innerHTML = entry.html; // server-sanitised (cmark-gfm safe mode): the one HTML we insert

  if (entry.image) article.append(renderFigure(doc, entry.image));
  localizeEntry(article, entry, view);
  return article;
}

function renderFigure(doc, image) {
  const figure = doc.createElement('figure');
  figure.setAttribute('class', 'lt-figure');
  const img = append(doc, figure, 'img', 'lt-img');
  img.setAttribute('src', image.url);
  img.setAttribute('alt', image.alt ?? '');
  img.setAttribute('loading', 'lazy');
  img.setAttribute('decoding', 'async');
  // A fixed 16:9 box: the image never shifts the text when it arrives.
  img.setAttribute('width', '1200');
  img.setAttribute('height', '675');
  const caption = append(doc, figure, 'figcaption');
  if (image.caption) append(doc, caption, 'span', 'lt-caption').textContent = image.caption;
  if (image.credit) {
    caption.append(doc.createTextNode(' '));
    append(doc, caption, 'span', 'lt-credit').textContent = image.credit;
  }
  return figure;
}

/**
 * Puts the reader's time zone and language into an entry, server-rendered or ours: the server
 * writes "21:30 UTC" and German labels, the reader gets "22:30" and their language.
 */
export function localizeEntry(article, entry, { t, timeZone, now = () => new Date() }) {
  const time = article.querySelector('.lt-time');
  if (time) {
    time.textContent = formatEntryTime(entry.created_at, {
      now: now(),
      timeZone,
      locale: t.locale,
      yesterday: t('yesterday'),
    });
    time.setAttribute('title', formatFullDateTime(entry.created_at, { timeZone, locale: t.locale }));
  }
  const labels = { 'lt-flag-pinned': 'flag_pinned', 'lt-flag-key': 'flag_key', 'lt-updated': 'flag_updated' };
  for (const [className, key] of Object.entries(labels)) {
    const element = article.querySelector(`.${className}`);
    if (element) element.textContent = t(key);
  }
  const updated = article.querySelector('.lt-updated');
  if (updated) {
    updated.setAttribute('title', t('updated_at', { time: formatFullDateTime(entry.updated_at, { timeZone, locale: t.locale }) }));
  }
}

export function entryClass(entry) {
  return ['lt-entry', entry.pinned && 'lt-pinned', entry.key && 'lt-key'].filter(Boolean).join(' ');
}

/** Whether a server-rendered article shows this entry as it is now (same revision, same flags). */
export function articleMatches(article, entry) {
  return (
    article.getAttribute('data-revision') === String(entry.revision) &&
    article.getAttribute('class') === entryClass(entry)
  );
}

function append(doc, parent, tag, className = null) {
  const element = doc.createElement(tag);
  if (className) element.setAttribute('class', className);
  parent.append(element);
  return element;
}
