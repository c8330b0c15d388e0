// Plain text from an entry for places that must not hold HTML: the key-events list, the
// screen-reader announcement and the tab title. Markdown is reduced to its words.

/** The entry's title, or the first words of its body without Markdown, at most maxLength. */
export function entrySummary(entry, maxLength = 110) {
  const title = entry.title?.trim();
  if (title) return truncate(title, maxLength);
  return truncate(markdownToText(entry.body ?? ''), maxLength);
}

export function markdownToText(markdown) {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images keep their alt text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // links keep their text
    .replace(/<[^>]*>/g, ' ') // raw HTML is dropped by the server too
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '') // headings, quotes, list markers
    .replace(/(\*\*|__|~~|\*|_|`)/g, '')
    .replace(/\|/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function truncate(text, maxLength) {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${(atWord.length > maxLength / 2 ? atWord : cut).replace(/[\s,;:.–-]+$/, '')}…`;
}
