// The ticker box's empty markup for embeds, the same elements as the section in index.html
// (which the server fills for the page itself). Built with DOM calls: no HTML strings.

const SVG = 'http://www.w3.org/2000/svg';

function h(doc, tag, attributes = {}, ...children) {
  const element = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null) element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

function arrowIcon(doc) {
  const svg = doc.createElementNS(SVG, 'svg');
  for (const [name, value] of Object.entries({ class: 'lt-pill-icon', viewBox: '0 0 16 16', width: '14', height: '14', 'aria-hidden': 'true' })) {
    svg.setAttribute(name, value);
  }
  const path = doc.createElementNS(SVG, 'path');
  for (const [name, value] of Object.entries({
    d: 'M8 13V3M3.5 7.5 8 3l4.5 4.5',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  })) {
    path.setAttribute(name, value);
  }
  svg.append(path);
  return svg;
}

/** `<section class="lt-ticker" id="lt-ticker">…</section>` with every element the view uses. */
export function buildTickerSkeleton(doc) {
  return h(
    doc,
    'section',
    { class: 'lt-ticker', id: 'lt-ticker', 'aria-labelledby': 'lt-title' },
    h(
      doc,
      'div',
      { class: 'lt-kicker' },
      h(
        doc,
        'span',
        { class: 'lt-badge', id: 'lt-badge', role: 'status' },
        h(doc, 'span', { class: 'lt-badge-dot', 'aria-hidden': 'true' }),
        h(doc, 'span', { class: 'lt-badge-label', id: 'lt-status' }),
      ),
      h(doc, 'span', { class: 'lt-kicker-label', 'data-i18n': 'newsticker' }),
      h(
        doc,
        'span',
        { class: 'lt-count' },
        h(doc, 'span', { id: 'lt-count-number' }),
        ' ',
        h(doc, 'span', { id: 'lt-count-word', 'data-i18n': 'entries_word' }),
      ),
    ),
    h(doc, 'h2', { class: 'lt-title', id: 'lt-title' }),
    h(doc, 'p', { class: 'lt-description', id: 'lt-description' }),
    h(
      doc,
      'nav',
      { class: 'lt-keys', id: 'lt-keys', 'aria-labelledby': 'lt-keys-heading', hidden: true },
      h(doc, 'h3', { class: 'lt-keys-heading', id: 'lt-keys-heading', 'data-i18n': 'key_events' }),
      h(doc, 'ol', { class: 'lt-keys-list', id: 'lt-keys-list' }),
    ),
    h(
      doc,
      'div',
      { class: 'lt-toolbar', id: 'lt-toolbar', hidden: true },
      h(
        doc,
        'div',
        { class: 'lt-order', role: 'group', 'data-i18n-aria-label': 'order_label' },
        h(doc, 'button', { type: 'button', class: 'lt-order-button', 'data-order': 'newest', 'aria-pressed': 'true', 'data-i18n': 'order_newest' }),
        h(doc, 'button', { type: 'button', class: 'lt-order-button', 'data-order': 'oldest', 'aria-pressed': 'false', 'data-i18n': 'order_oldest' }),
      ),
    ),
    h(doc, 'p', { class: 'lt-notice', id: 'lt-notice', role: 'alert', hidden: true }),
    h(
      doc,
      'div',
      { class: 'lt-pill-bar' },
      h(doc, 'button', { type: 'button', class: 'lt-pill', id: 'lt-pill', hidden: true }, arrowIcon(doc), h(doc, 'span', { class: 'lt-pill-label' })),
    ),
    h(doc, 'div', { class: 'lt-entries', id: 'lt-entries', role: 'feed', 'data-i18n-aria-label': 'entries_region', tabindex: '-1' }),
    h(
      doc,
      'div',
      { class: 'lt-more', id: 'lt-more' },
      h(
        doc,
        'div',
        { class: 'lt-loader', id: 'lt-loader', hidden: true },
        h(doc, 'span', { class: 'lt-spinner', 'aria-hidden': 'true' }),
        h(doc, 'span', { 'data-i18n': 'loading' }),
      ),
      h(doc, 'button', { type: 'button', class: 'lt-more-button', id: 'lt-more-button', 'data-i18n': 'load_more', hidden: true }),
      h(doc, 'p', { class: 'lt-end', id: 'lt-end', hidden: true }),
    ),
    h(doc, 'div', { class: 'lt-visually-hidden', id: 'lt-announcer', 'aria-live': 'polite' }),
  );
}
