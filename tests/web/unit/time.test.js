import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dayKey, formatClock, formatEntryTime, formatFullDateTime, previousDayKey } from '../../../web/lib/time.js';

// Pinned time zones: the results must not depend on the machine running the tests.
const berlin = { timeZone: 'Europe/Berlin' };
const evening = new Date('2021-12-30T20:45:00Z'); // 21:45 in Berlin, 23:45 in Moscow, Thursday

describe('entry times', () => {
  it('shows only HH:MM for today, in the reader’s time zone', () => {
    assert.equal(formatEntryTime('2021-12-30T20:30:00.000Z', { ...berlin, now: evening }), '21:30');
    assert.equal(formatEntryTime('2021-12-30T20:30:00.000Z', { timeZone: 'Europe/Moscow', now: evening }), '23:30');
    assert.equal(formatEntryTime('2021-12-30T20:30:00.000Z', { timeZone: 'America/New_York', now: evening }), '15:30');
  });

  it('uses 24-hour time with two digits in English too', () => {
    const morning = '2021-12-30T08:05:00.000Z';
    assert.equal(formatEntryTime(morning, { timeZone: 'UTC', now: evening, locale: 'en-GB' }), '08:05');
    assert.equal(formatClock(new Date('2021-12-30T23:59:00Z'), { timeZone: 'UTC' }), '23:59');
    assert.equal(formatClock(new Date('2021-12-30T00:00:00Z'), { timeZone: 'UTC' }), '00:00');
  });

  it('adds the date when the entry is not from today', () => {
    assert.equal(formatEntryTime('2021-12-28T20:30:00.000Z', { ...berlin, now: evening }), '28.12., 21:30');
    assert.equal(formatEntryTime('2021-12-28T20:30:00.000Z', { ...berlin, now: evening, locale: 'en-GB' }), '28 Dec, 21:30');
  });

  it('says "yesterday" when given the word for it', () => {
    const options = { ...berlin, now: evening, yesterday: 'gestern' };
    assert.equal(formatEntryTime('2021-12-29T20:30:00.000Z', options), 'gestern, 21:30');
    assert.equal(formatEntryTime('2021-12-29T20:30:00.000Z', { ...berlin, now: evening }), '29.12., 21:30');
  });

  it('adds the year for earlier years', () => {
    const newYear = new Date('2022-01-01T10:00:00Z');
    assert.equal(formatEntryTime('2021-12-30T20:30:00.000Z', { ...berlin, now: newYear }), '30.12.2021, 21:30');
    assert.equal(formatEntryTime('2021-12-30T20:30:00.000Z', { ...berlin, now: newYear, locale: 'en-GB' }), '30 Dec 2021, 21:30');
  });

  it('decides "today" by the reader’s calendar day, not by UTC', () => {
    // 23:30 UTC on the 30th is already the 31st in Berlin.
    const now = new Date('2021-12-31T08:00:00Z');
    assert.equal(formatEntryTime('2021-12-30T23:30:00.000Z', { ...berlin, now }), '00:30');
    assert.equal(formatEntryTime('2021-12-30T23:30:00.000Z', { timeZone: 'UTC', now }), '30.12., 23:30');
  });

  it('handles the day after a DST switch', () => {
    // Berlin, 2021-03-28 had 23 hours; at 00:30 on the 29th "yesterday" is the 28th.
    const now = new Date('2021-03-28T22:30:00Z');
    assert.equal(dayKey(now, 'Europe/Berlin'), '2021-03-29');
    assert.equal(formatEntryTime('2021-03-28T10:00:00Z', { ...berlin, now, yesterday: 'gestern' }), 'gestern, 12:00');
    assert.equal(previousDayKey('2021-03-01'), '2021-02-28');
    assert.equal(previousDayKey('2024-03-01'), '2024-02-29');
  });

  it('gives the full date and time for the title attribute', () => {
    assert.equal(formatFullDateTime('2021-12-30T20:30:00.000Z', berlin), 'Donnerstag, 30. Dezember 2021 um 21:30 MEZ');
    assert.equal(
      formatFullDateTime('2021-12-30T20:30:00.000Z', { ...berlin, locale: 'en-GB' }),
      'Thursday, 30 December 2021 at 21:30 CET',
    );
  });

  it('shows nothing rather than "Invalid Date"', () => {
    assert.equal(formatEntryTime('not a time', berlin), '');
    assert.equal(formatFullDateTime('not a time', berlin), '');
  });
});
