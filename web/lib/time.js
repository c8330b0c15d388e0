// Timestamps arrive in UTC (RFC 3339); readers see them in their own time zone. The time zone
// is a parameter so that tests pin it instead of depending on the machine.

const dayKeyFormats = new Map();

function dayKeyFormat(timeZone) {
  if (!dayKeyFormats.has(timeZone)) {
    dayKeyFormats.set(
      timeZone,
      new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
    );
  }
  return dayKeyFormats.get(timeZone);
}

/** "2021-12-30": the calendar day of an instant in a time zone. */
export function dayKey(date, timeZone) {
  // Put together from the parts: no locale promises ISO order. en-CA's format has changed
  // between ICU releases, and Debian's Node 18 (system ICU) formats it as "03/29/2021".
  const { year, month, day } = toParts(dayKeyFormat(timeZone), date);
  return `${year}-${month}-${day}`;
}

/** The calendar day before a day key, by calendar arithmetic (DST days are not 24 hours). */
export function previousDayKey(key) {
  const [year, month, day] = key.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

function toParts(format, date) {
  const parts = {};
  for (const { type, value } of format.formatToParts(date)) {
    parts[type] = value;
  }
  return parts;
}

function partsOf(date, locale, timeZone, options) {
  return toParts(new Intl.DateTimeFormat(locale, { timeZone, ...options }), date);
}

/** "21:30": always 24-hour, two digits each, whatever the locale's habit. */
export function formatClock(date, { timeZone } = {}) {
  const { hour, minute } = partsOf(date, 'en-GB', timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${hour}:${minute}`;
}

/**
 * The short stamp beside an entry: "21:30" today, "gestern, 21:30" yesterday, "28.12., 21:30"
 * earlier this year and "30.12.2021, 21:30" before that (English: "28 Dec, 21:30").
 */
export function formatEntryTime(iso, { now = new Date(), timeZone, locale = 'de-DE', yesterday = null } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const clock = formatClock(date, { timeZone });
  const day = dayKey(date, timeZone);
  if (day === dayKey(now, timeZone)) return clock;
  if (yesterday && day === previousDayKey(dayKey(now, timeZone))) return `${yesterday}, ${clock}`;
  const sameYear = day.slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return `${formatDate(date, { timeZone, locale, withYear: !sameYear })}, ${clock}`;
}

/** "28.12." / "28.12.2021" in German, "28 Dec" / "28 Dec 2021" in English. */
export function formatDate(date, { timeZone, locale = 'de-DE', withYear = true } = {}) {
  if (locale.startsWith('de')) {
    const { day, month, year } = partsOf(date, 'de-DE', timeZone, { day: '2-digit', month: '2-digit', year: 'numeric' });
    return withYear ? `${day}.${month}.${year}` : `${day}.${month}.`;
  }
  const options = withYear ? { day: 'numeric', month: 'short', year: 'numeric' } : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(locale, { timeZone, ...options }).format(date);
}

/** The full date and time for a title attribute: "Donnerstag, 30. Dezember 2021 um 21:30 MEZ". */
export function formatFullDateTime(iso, { timeZone, locale = 'de-DE' } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);
}
