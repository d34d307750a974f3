// Output time strings (SPEC 3.6), ISO-8601 input dates (SPEC 3.3) and time-zone ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatExecutionTime, isValidTimeZone, parseIsoDateTime } from '../../src/schedule/index.ts';

describe('formatExecutionTime', () => {
  const table: [string, string | undefined, string][] = [
    // SPEC 3.6 examples
    ['2020-02-19T16:00:00.000Z', undefined, '2020-02-19T16:00Z'],
    ['2019-10-04T10:10:10.000Z', undefined, '2019-10-04T10:10:10Z'],
    ['2019-05-18T23:35:24.902Z', undefined, '2019-05-18T23:35:24.902Z'],
    ['2019-10-20T12:34:56.000Z', 'America/Los_Angeles', '2019-10-20T05:34:56-07:00'],
    ['2019-02-03T10:00:00.000Z', 'America/Los_Angeles', '2019-02-03T02:00-08:00'],
    // more
    ['2020-02-19T16:00:00.000Z', 'UTC', '2020-02-19T16:00Z'],
    ['2024-01-01T00:00:00.005Z', undefined, '2024-01-01T00:00:00.005Z'],
    ['2024-01-01T00:00:00.100Z', undefined, '2024-01-01T00:00:00.100Z'],
    ['2024-01-01T00:00:00.000Z', 'Asia/Kolkata', '2024-01-01T05:30+05:30'],
    ['2024-01-01T12:00:00.000Z', 'America/St_Johns', '2024-01-01T08:30-03:30'],
    ['2024-01-15T12:00:00.000Z', 'Europe/London', '2024-01-15T12:00Z'], // zero offset prints Z, like Java
    ['2024-07-15T12:00:00.000Z', 'Europe/London', '2024-07-15T13:00+01:00'],
    ['2024-12-31T20:00:00.000Z', 'Asia/Tokyo', '2025-01-01T05:00+09:00'],
  ];
  for (const [instant, zone, expected] of table) {
    it(`${instant} in ${zone ?? 'default'} -> ${expected}`, () => {
      assert.equal(formatExecutionTime(Date.parse(instant), zone), expected);
    });
  }
});

describe('parseIsoDateTime', () => {
  const valid: [string, string][] = [
    ['2021-04-07T14:29:00-08:00', '2021-04-07T22:29:00.000Z'],
    ['2021-01-01T00:00:00Z', '2021-01-01T00:00:00.000Z'],
    ['2021-01-01T00:00:00', '2021-01-01T00:00:00.000Z'], // no offset = UTC
    ['2021-01-01', '2021-01-01T00:00:00.000Z'], // date only = UTC midnight
    ['2019-01-01T00:03:15+09:00', '2018-12-31T15:03:15.000Z'],
    ['2021-01-01T00:00Z', '2021-01-01T00:00:00.000Z'],
    ['2021-01-01T00:00:00.123Z', '2021-01-01T00:00:00.123Z'],
    ['2021-01-01T00:00:00.123456789Z', '2021-01-01T00:00:00.123Z'], // truncated to ms
    ['2021-01-01T00:00:00.5Z', '2021-01-01T00:00:00.500Z'],
    ['2021-01-01T05:30:00+05:30', '2021-01-01T00:00:00.000Z'],
    ['2021-01-01T05:30:00+0530', '2021-01-01T00:00:00.000Z'],
    ['2021-01-01T02:00:00+02', '2021-01-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59z', '2024-02-29T23:59:59.000Z'],
  ];
  for (const [text, expected] of valid) {
    it(`${text} -> ${expected}`, () => assert.equal(parseIsoDateTime(text), Date.parse(expected)));
  }
  const invalid = [
    '', 'yesterday', '1612137600', '2021-13-01', '2021-02-30', '2023-02-29', '2021-1-1', '2021-01-01T25:00:00Z',
    '2021-01-01T00:60:00Z', '2021-01-01T00:00:60Z', '2021-01-01 00:00:00', '2021-01-01T00:00:00+19:00',
    '2021-01-01T00:00:00ZZ', '2021-01-01T00', ' 2021-01-01', '2021-01-01T00:00:00.Z', '+2021-01-01',
  ];
  for (const text of invalid) it(`${JSON.stringify(text)} -> undefined`, () => assert.equal(parseIsoDateTime(text), undefined));
});

describe('isValidTimeZone', () => {
  const valid = [
    'UTC', 'America/Los_Angeles', 'Asia/Seoul', 'Europe/Berlin', 'Asia/Tokyo', 'Asia/Kolkata',
    'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Etc/UTC', 'GMT', 'US/Pacific',
  ];
  const invalid = [
    'Mars/Olympus', '', '+02:00', '-05:00', '+0200', 'UTC+2', 'GMT+2', 'Z', 'utc', 'america/los_angeles',
    ' UTC', 'America/Los Angeles', 'America/', '/UTC', 'Local',
  ];
  for (const zone of valid) it(`${zone} is valid`, () => assert.equal(isValidTimeZone(zone), true));
  for (const zone of invalid) it(`${JSON.stringify(zone)} is invalid`, () => assert.equal(isValidTimeZone(zone), false));
});
