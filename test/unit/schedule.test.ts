// Run-time computation (SPEC 3.1-3.3): cron occurrences in zones and across DST, L/W/#, ScheduleOffset,
// StartDate/EndDate, rate anchoring and at(). Expected instants are written as AWS would print them in the zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatExecutionTime, nextRunAfter, parseSchedule, rateAnchor, runsBetween, validateTiming,
} from '../../src/schedule/index.ts';
import type { WindowTiming } from '../../src/schedule/index.ts';

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  assert.ok(!Number.isNaN(t), `bad test instant ${iso}`);
  return t;
};

interface Case {
  expr: string;
  zone?: string;
  offset?: number;
  start?: string;
  end?: string;
  anchor?: string;
  after: string;
  until?: string; // when given, check runsBetween(after, until) instead of nextRunAfter(after)
  expect: string | string[] | undefined;
  note?: string;
}

function timingOf(c: Case): WindowTiming {
  return {
    schedule: parseSchedule(c.expr),
    timeZone: c.zone,
    offsetDays: c.offset,
    startMs: c.start === undefined ? undefined : ms(c.start),
    endMs: c.end === undefined ? undefined : ms(c.end),
    rateAnchorMs: c.anchor === undefined ? 0 : ms(c.anchor),
  };
}

function runTable(cases: Case[]) {
  for (const c of cases) {
    const title = `${c.expr}${c.zone ? ` in ${c.zone}` : ''}${c.offset ? ` +${c.offset}d` : ''} after ${c.after}` +
      `${c.note ? ` (${c.note})` : ''}`;
    it(title, () => {
      const timing = timingOf(c);
      const show = (t: number) => formatExecutionTime(t, c.zone);
      if (c.until !== undefined) {
        assert.deepEqual(runsBetween(timing, ms(c.after), ms(c.until), 1000).map(show), c.expect);
      } else {
        const next = nextRunAfter(timing, ms(c.after));
        assert.equal(next === undefined ? undefined : show(next), c.expect);
      }
    });
  }
}

describe('cron in UTC', () => {
  runTable([
    { expr: 'cron(0 2 ? * THU#3 *)', after: '2024-01-01T00:00Z', expect: '2024-01-18T02:00Z' },
    { expr: 'cron(0 2 ? * 5#3 *)', after: '2024-01-01T00:00Z', expect: '2024-01-18T02:00Z', note: '5 = Thursday' },
    { expr: 'cron(15 10 ? * MON-FRI *)', after: '2024-01-05T10:15Z', expect: '2024-01-08T10:15Z', note: 'Fri -> Mon' },
    { expr: 'cron(0 16 ? * TUE *)', after: '2024-01-02T16:00Z', expect: '2024-01-09T16:00Z', note: 'strictly after' },
    { expr: 'cron(0 16 ? * TUE *)', after: '2024-01-02T15:59:59.999Z', expect: '2024-01-02T16:00Z' },
    { expr: 'cron(24 30 09 ? * * *)', after: '2024-01-01T00:00Z', expect: '2024-01-01T09:30:24Z' },
    { expr: 'cron(24 30 09 ? * * *)', after: '2024-01-01T09:30:24Z', expect: '2024-01-02T09:30:24Z' },
    { expr: 'cron(0 */30 * * * ? *)', after: '2024-01-01T00:00:00.500Z', expect: '2024-01-01T00:30Z' },
    { expr: 'cron(5/20 * * * ? *)', after: '2024-01-01T00:46Z', expect: '2024-01-01T01:05Z' },
    { expr: 'cron(0 0 1 */4 ? *)', after: '2024-02-01T00:00Z', expect: '2024-05-01T00:00Z' },
    { expr: 'cron(0 9 ? jan mon 2025)', after: '2024-06-01T00:00Z', expect: '2025-01-06T09:00Z' },
    { expr: 'cron(0 23 31 DEC ? *)', after: '2024-12-31T23:00Z', expect: '2025-12-31T23:00Z', note: 'year rollover' },
    // L, L-n, LW
    { expr: 'cron(0 2 L * ? *)', after: '2024-02-01T00:00Z', expect: '2024-02-29T02:00Z', note: 'leap year' },
    { expr: 'cron(0 2 L * ? *)', after: '2023-02-01T00:00Z', expect: '2023-02-28T02:00Z' },
    { expr: 'cron(0 2 L * ? *)', after: '2024-04-30T02:00Z', expect: '2024-05-31T02:00Z' },
    { expr: 'cron(0 2 L-2 * ? *)', after: '2024-02-01T00:00Z', expect: '2024-02-27T02:00Z' },
    { expr: 'cron(0 9 LW * ? *)', after: '2024-03-01T00:00Z', expect: '2024-03-29T09:00Z', note: '31st is a Sunday' },
    { expr: 'cron(0 9 LW * ? *)', after: '2024-08-01T00:00Z', expect: '2024-08-30T09:00Z', note: '31st is a Saturday' },
    // nL
    { expr: 'cron(15 10 ? * 6L *)', after: '2024-01-01T00:00Z', expect: '2024-01-26T10:15Z', note: 'last Friday' },
    { expr: 'cron(0 9 ? * 1L *)', after: '2024-03-01T00:00Z', expect: '2024-03-31T09:00Z', note: 'last Sunday = last day' },
    { expr: 'cron(0 9 ? * L *)', after: '2024-01-01T00:00Z', expect: '2024-01-06T09:00Z', note: 'L = Saturday' },
    // W at month edges
    { expr: 'cron(0 9 1W * ? *)', after: '2024-05-15T00:00Z', expect: '2024-06-03T09:00Z', note: '1st Saturday -> Monday 3rd' },
    { expr: 'cron(0 9 1W * ? *)', after: '2024-08-15T00:00Z', expect: '2024-09-02T09:00Z', note: '1st Sunday -> Monday 2nd' },
    { expr: 'cron(0 9 31W * ? *)', after: '2024-03-01T00:00Z', expect: '2024-03-29T09:00Z', note: '31st Sunday -> Friday 29th' },
    { expr: 'cron(0 9 31W * ? *)', after: '2024-04-01T00:00Z', expect: '2024-05-31T09:00Z', note: 'April has no 31st' },
    { expr: 'cron(0 9 15W * ? *)', after: '2024-06-01T00:00Z', expect: '2024-06-14T09:00Z', note: 'Saturday -> Friday' },
    { expr: 'cron(0 9 15W * ? *)', after: '2024-09-01T00:00Z', expect: '2024-09-16T09:00Z', note: 'Sunday -> Monday' },
    { expr: 'cron(0 9 15W * ? *)', after: '2024-01-01T00:00Z', expect: '2024-01-15T09:00Z', note: 'Monday stays' },
    // #
    { expr: 'cron(0 9 ? * 2#5 *)', after: '2024-01-01T00:00Z', expect: '2024-01-29T09:00Z', note: '5th Monday' },
    { expr: 'cron(0 9 ? * MON#5 *)', after: '2024-01-30T00:00Z', expect: '2024-04-29T09:00Z', note: 'skips months without one' },
    { expr: 'cron(0 9 ? * SUN#1 *)', after: '2024-09-01T09:00Z', expect: '2024-10-06T09:00Z' },
    // sparse and exhausted
    { expr: 'cron(0 0 29 FEB ? 2196)', after: '2024-01-01T00:00Z', expect: '2196-02-29T00:00Z' },
    { expr: 'cron(0 0 29 FEB ? 2196)', after: '2196-02-29T00:00Z', expect: undefined },
    { expr: 'cron(0 0 29 FEB ? *)', after: '2097-01-01T00:00Z', expect: '2104-02-29T00:00Z', note: '2100 is no leap year' },
    { expr: 'cron(0 0 30 FEB ? *)', after: '2024-01-01T00:00Z', expect: undefined, note: 'never' },
    { expr: 'cron(0 0 1 1 ? 2199)', after: '2199-01-01T00:00:00.001Z', expect: undefined },
    // lists
    {
      expr: 'cron(0 8,20 1,15 * ? *)', after: '2024-01-01T08:00Z', until: '2024-02-01T00:00Z',
      expect: ['2024-01-01T20:00Z', '2024-01-15T08:00Z', '2024-01-15T20:00Z'],
    },
  ]);
});

describe('cron in time zones and across DST', () => {
  runTable([
    // America/Los_Angeles: spring forward 2024-03-10 02:00 -> 03:00; fall back 2024-11-03 02:00 -> 01:00
    {
      expr: 'cron(30 2 * * ? *)', zone: 'America/Los_Angeles', after: '2024-03-08T00:00-08:00', until: '2024-03-12T00:00-07:00',
      expect: ['2024-03-08T02:30-08:00', '2024-03-09T02:30-08:00', '2024-03-11T02:30-07:00'], note: '02:30 skipped on spring-forward day',
    },
    {
      expr: 'cron(30 1 * * ? *)', zone: 'America/Los_Angeles', after: '2024-11-02T00:00-07:00', until: '2024-11-05T00:00-08:00',
      expect: ['2024-11-02T01:30-07:00', '2024-11-03T01:30-07:00', '2024-11-04T01:30-08:00'], note: '01:30 fires once on fall-back day',
    },
    {
      expr: 'cron(30 1 * * ? *)', zone: 'America/Los_Angeles', after: '2024-11-03T01:30-07:00',
      expect: '2024-11-04T01:30-08:00', note: 'the repeated 01:30 does not fire again',
    },
    {
      expr: 'cron(30 1 * * ? *)', zone: 'America/Los_Angeles', after: '2024-11-03T01:10-08:00',
      expect: '2024-11-04T01:30-08:00', note: 'asked during the second 01:xx hour',
    },
    {
      expr: 'cron(0 * * * ? *)', zone: 'America/Los_Angeles', after: '2024-03-09T23:59-08:00', until: '2024-03-10T04:00-07:00',
      expect: ['2024-03-10T00:00-08:00', '2024-03-10T01:00-08:00', '2024-03-10T03:00-07:00', '2024-03-10T04:00-07:00'],
    },
    {
      expr: 'cron(0 * * * ? *)', zone: 'America/Los_Angeles', after: '2024-11-02T23:59-07:00', until: '2024-11-03T03:00-08:00',
      expect: ['2024-11-03T00:00-07:00', '2024-11-03T01:00-07:00', '2024-11-03T02:00-08:00', '2024-11-03T03:00-08:00'],
    },
    // Europe/Berlin: spring forward 2024-03-31 02:00 -> 03:00; fall back 2024-10-27 03:00 -> 02:00
    {
      expr: 'cron(30 2 * * ? *)', zone: 'Europe/Berlin', after: '2024-03-30T00:00+01:00', until: '2024-04-02T00:00+02:00',
      expect: ['2024-03-30T02:30+01:00', '2024-04-01T02:30+02:00'],
    },
    {
      expr: 'cron(30 2 * * ? *)', zone: 'Europe/Berlin', after: '2024-10-26T00:00+02:00', until: '2024-10-29T00:00+01:00',
      expect: ['2024-10-26T02:30+02:00', '2024-10-27T02:30+02:00', '2024-10-28T02:30+01:00'],
    },
    // plain zone arithmetic
    { expr: 'cron(0 9 * * ? *)', zone: 'Asia/Seoul', after: '2023-12-31T23:59:59.999Z', expect: '2024-01-01T09:00+09:00' },
    { expr: 'cron(0 9 * * ? *)', zone: 'Asia/Seoul', after: '2024-01-01T00:00Z', expect: '2024-01-02T09:00+09:00', note: '09:00 KST = 00:00Z, strictly after' },
    { expr: 'cron(0 0 L * ? *)', zone: 'Asia/Kolkata', after: '2024-01-30T19:00Z', expect: '2024-02-29T00:00+05:30' },
    {
      expr: 'cron(0 9 ? * WED *)', zone: 'America/Los_Angeles', after: '2024-01-03T16:59Z',
      expect: '2024-01-03T09:00-08:00', note: 'Wednesday in the zone, still Wednesday in UTC',
    },
    {
      expr: 'cron(0 20 ? * TUE *)', zone: 'America/Los_Angeles', after: '2024-01-01T00:00Z',
      expect: '2024-01-02T20:00-08:00', note: 'Tuesday evening local is Wednesday UTC',
    },
  ]);
});

describe('rate schedules', () => {
  it('created at T without StartDate: rate(180 minutes) first runs at T+3h, milliseconds kept (SPEC 7)', () => {
    const created = ms('2020-02-12T20:19:20.596Z');
    const timing: WindowTiming = { schedule: parseSchedule('rate(180 minutes)'), rateAnchorMs: rateAnchor(undefined, created) };
    assert.equal(formatExecutionTime(nextRunAfter(timing, created)!), '2020-02-12T23:19:20.596Z');
    assert.deepEqual(
      runsBetween(timing, created, ms('2020-02-13T06:00Z'), 10).map((t) => formatExecutionTime(t)),
      ['2020-02-12T23:19:20.596Z', '2020-02-13T02:19:20.596Z', '2020-02-13T05:19:20.596Z'],
    );
    // after a run fires, the next one is one interval later
    assert.equal(nextRunAfter(timing, ms('2020-02-12T23:19:20.596Z')), ms('2020-02-13T02:19:20.596Z'));
  });

  it('rateAnchor: a future StartDate is the anchor and the first run; a past one is replaced by now', () => {
    const now = ms('2024-01-01T00:00Z');
    const future = ms('2024-01-10T06:00Z');
    const past = ms('2023-12-01T00:00Z');
    assert.equal(rateAnchor(future, now), future);
    assert.equal(rateAnchor(past, now), now);
    assert.equal(rateAnchor(undefined, now), now);
    const schedule = parseSchedule('rate(1 day)');
    assert.equal(nextRunAfter({ schedule, startMs: future, rateAnchorMs: rateAnchor(future, now) }, now), future);
    assert.equal(nextRunAfter({ schedule, startMs: past, rateAnchorMs: rateAnchor(past, now) }, now), now + 86_400_000);
  });

  runTable([
    {
      expr: 'rate(1 day)', zone: 'America/Los_Angeles', anchor: '2024-03-09T02:00-08:00', after: '2024-03-09T02:00-08:00',
      until: '2024-03-12T00:00-07:00', expect: ['2024-03-10T03:00-07:00', '2024-03-11T03:00-07:00'],
      note: 'DST does not move a rate: exactly 24h apart',
    },
    {
      expr: 'rate(1 hour)', zone: 'Europe/Berlin', anchor: '2024-10-27T00:30+02:00', after: '2024-10-27T00:30+02:00',
      until: '2024-10-27T03:30+01:00',
      expect: ['2024-10-27T01:30+02:00', '2024-10-27T02:30+02:00', '2024-10-27T02:30+01:00', '2024-10-27T03:30+01:00'],
    },
    {
      expr: 'rate(5 minutes)', anchor: '2024-01-01T00:00:00.250Z', after: '2024-01-01T01:02:00Z',
      expect: '2024-01-01T01:05:00.250Z', note: 'jumps straight to the right multiple',
    },
    {
      expr: 'rate(1 hour)', anchor: '2024-01-01T00:00Z', start: '2024-01-01T00:00Z', end: '2024-01-01T03:00Z',
      after: '2024-01-01T00:00Z', until: '2024-01-02T00:00Z', expect: ['2024-01-01T01:00Z', '2024-01-01T02:00Z', '2024-01-01T03:00Z'],
      note: 'EndDate is inclusive',
    },
  ]);
});

describe('StartDate / EndDate (SPEC 3.3)', () => {
  it('UG: rate(7 days) in Asia/Tokyo runs weekly on Tuesdays, last run Tuesday 2019-06-25', () => {
    const start = ms('2019-01-01T00:03:15+09:00');
    const end = ms('2019-06-30T00:06:15+09:00');
    const created = ms('2018-12-15T00:00Z');
    const timing: WindowTiming = {
      schedule: parseSchedule('rate(7 days)'), timeZone: 'Asia/Tokyo', startMs: start, endMs: end,
      rateAnchorMs: rateAnchor(start, created),
    };
    const runs = runsBetween(timing, created, end + 30 * 86_400_000, 100);
    const shown = runs.map((t) => formatExecutionTime(t, 'Asia/Tokyo'));
    assert.equal(shown[0], '2019-01-01T00:03:15+09:00');
    assert.equal(shown.at(-1), '2019-06-25T00:03:15+09:00');
    assert.equal(runs.length, 26);
    for (const t of runs) assert.equal(new Date(t + 9 * 3_600_000).getUTCDay(), 2, 'a Tuesday in Tokyo');
    assert.equal(nextRunAfter(timing, runs.at(-1)!), undefined);
  });

  runTable([
    {
      expr: 'cron(0 09 ? * WED *)', zone: 'America/Los_Angeles', start: '2021-01-01T00:00:00-08:00', after: '2020-12-01T00:00Z',
      expect: '2021-01-06T09:00-08:00', note: 'UG example, first run Wednesday 6 January',
    },
    {
      expr: 'cron(0 12 * * ? *)', start: '2024-01-10T12:00Z', after: '2024-01-01T00:00Z', expect: '2024-01-10T12:00Z',
      note: 'a run exactly at StartDate counts',
    },
    {
      expr: 'cron(0 12 * * ? *)', start: '2024-01-10T12:00:00.001Z', after: '2024-01-01T00:00Z', expect: '2024-01-11T12:00Z',
      note: 'StartDate does not shift the schedule',
    },
    {
      expr: 'cron(0 12 * * ? *)', end: '2024-01-03T12:00Z', after: '2024-01-01T00:00Z', until: '2024-02-01T00:00Z',
      expect: ['2024-01-01T12:00Z', '2024-01-02T12:00Z', '2024-01-03T12:00Z'],
    },
    { expr: 'cron(0 12 * * ? *)', end: '2024-01-03T11:59Z', after: '2024-01-02T12:00Z', expect: undefined, note: 'EndDate passed' },
    {
      expr: 'cron(0/5 * * * ? *)', start: '2150-06-01T00:02Z', after: '2024-01-01T00:00Z', expect: '2150-06-01T00:05Z',
      note: 'a far StartDate is reached without stepping through every occurrence',
    },
  ]);
});

describe('ScheduleOffset (SPEC 3.2)', () => {
  runTable([
    {
      expr: 'cron(30 23 ? * TUE#3 *)', offset: 2, after: '2024-01-01T00:00Z', expect: '2024-01-18T23:30Z',
      note: 'Thursday after the third Tuesday',
    },
    {
      expr: 'cron(30 23 ? * TUE#3 *)', offset: 2, after: '2024-01-17T12:00Z', expect: '2024-02-22T23:30Z',
      note: 'base passed yesterday: tomorrow\'s offset run is not scheduled',
    },
    {
      expr: 'cron(30 23 ? * TUE#3 *)', offset: 2, after: '2024-01-01T00:00Z', until: '2024-04-01T00:00Z',
      expect: ['2024-01-18T23:30Z', '2024-02-22T23:30Z', '2024-03-21T23:30Z'],
    },
    {
      expr: 'cron(30 23 ? * TUE#3 *)', offset: 2, start: '2024-01-17T00:00Z', after: '2024-01-01T00:00Z', expect: '2024-01-18T23:30Z',
      note: 'only the run must be inside the period',
    },
    {
      expr: 'cron(30 23 ? * TUE#3 *)', offset: 2, end: '2024-01-18T23:00Z', after: '2024-01-01T00:00Z', expect: undefined,
      note: 'run after EndDate',
    },
    {
      expr: 'cron(0 3 ? * SAT *)', zone: 'Europe/Berlin', offset: 1, after: '2024-03-25T00:00Z', expect: '2024-03-31T03:00+02:00',
      note: 'same wall-clock time across the DST change',
    },
    {
      expr: 'cron(30 2 ? * SAT#2 *)', zone: 'America/Los_Angeles', offset: 1, after: '2024-03-01T00:00Z',
      expect: '2024-03-10T03:30-07:00', note: 'offset run in the DST gap moves forward by the gap',
    },
  ]);
});

describe('at()', () => {
  runTable([
    { expr: 'at(2021-07-07T13:15:30)', after: '2021-01-01T00:00Z', expect: '2021-07-07T13:15:30Z' },
    { expr: 'at(2021-07-07T13:15:30)', zone: 'Asia/Seoul', after: '2021-01-01T00:00Z', expect: '2021-07-07T13:15:30+09:00' },
    {
      expr: 'at(2021-07-07T13:15:30)', zone: 'America/Los_Angeles', after: '2021-01-01T00:00Z', until: '2022-01-01T00:00Z',
      expect: ['2021-07-07T13:15:30-07:00'],
    },
    { expr: 'at(2021-07-07T13:15:30)', after: '2021-07-07T13:15:30Z', expect: undefined, note: 'already past' },
    { expr: 'at(2021-07-07T13:15:30)', end: '2021-07-01T00:00Z', after: '2021-01-01T00:00Z', expect: undefined },
    { expr: 'at(2021-07-07T13:15:30)', start: '2021-07-08T00:00Z', after: '2021-01-01T00:00Z', expect: undefined },
    {
      expr: 'at(2024-03-10T02:30:00)', zone: 'America/Los_Angeles', after: '2024-01-01T00:00Z', expect: '2024-03-10T03:30-07:00',
      note: 'nonexistent local time moves forward',
    },
    {
      expr: 'at(2024-11-03T01:30:00)', zone: 'America/Los_Angeles', after: '2024-01-01T00:00Z', expect: '2024-11-03T01:30-07:00',
      note: 'repeated local time: first occurrence',
    },
  ]);
});

describe('runsBetween limits', () => {
  const timing: WindowTiming = { schedule: parseSchedule('cron(0 * * * ? *)'), rateAnchorMs: 0 };
  const after = ms('2024-01-01T00:00Z');
  it('stops at limit', () => assert.equal(runsBetween(timing, after, after + 86_400_000, 5).length, 5));
  it('until is inclusive', () => assert.equal(runsBetween(timing, after, after + 3_600_000, 10).length, 1));
  it('empty for limit 0 or an empty interval', () => {
    assert.deepEqual(runsBetween(timing, after, after + 86_400_000, 0), []);
    assert.deepEqual(runsBetween(timing, after, after, 10), []);
  });
});

describe('validateTiming', () => {
  const cron = parseSchedule('cron(0 2 ? * * *)');
  const rate = parseSchedule('rate(1 day)');
  const at = parseSchedule('at(2030-01-01T00:00:00)');
  const table: [string, Parameters<typeof validateTiming>[0], number | undefined, RegExp | undefined][] = [
    ['cron with offset', { schedule: cron, offsetDays: 6 }, undefined, undefined],
    ['rate with offset', { schedule: rate, offsetDays: 1 }, undefined, /only supported for cron/],
    ['at with offset', { schedule: at, offsetDays: 1 }, undefined, /only supported for cron/],
    ['offset 7', { schedule: cron, offsetDays: 7 }, undefined, /between 1 and 6/],
    ['offset 0', { schedule: cron, offsetDays: 0 }, undefined, /between 1 and 6/],
    ['bad zone', { schedule: cron, timeZone: 'Mars/Olympus' }, undefined, /not a valid IANA time zone/],
    ['good zone', { schedule: cron, timeZone: 'Asia/Tokyo' }, undefined, undefined],
    ['end before start', { schedule: cron, startMs: 2000, endMs: 1000 }, undefined, /EndDate must be later than StartDate/],
    ['end in the past', { schedule: cron, endMs: 1000 }, 5000, /EndDate must be in the future/],
    ['end in the future', { schedule: cron, startMs: 0, endMs: 9000 }, 5000, undefined],
  ];
  for (const [name, timing, now, message] of table) {
    it(name, () => {
      const result = validateTiming(timing, now);
      if (message === undefined) assert.equal(result, undefined);
      else assert.match(result ?? '', message);
    });
  }
});

describe('efficiency', () => {
  it('sparse and zoned lookups take well under a millisecond each', () => {
    const cases: WindowTiming[] = [
      { schedule: parseSchedule('cron(0 0 29 FEB ? 2196)'), timeZone: 'America/Los_Angeles', rateAnchorMs: 0 },
      { schedule: parseSchedule('cron(15 10 ? * MON-FRI *)'), timeZone: 'Europe/Berlin', rateAnchorMs: 0 },
      { schedule: parseSchedule('cron(30 23 ? * TUE#3 *)'), offsetDays: 2, timeZone: 'Asia/Tokyo', rateAnchorMs: 0 },
    ];
    const after = ms('2024-01-01T00:00Z');
    for (const timing of cases) nextRunAfter(timing, after); // warm up
    const started = performance.now();
    for (let i = 0; i < 300; i++) for (const timing of cases) nextRunAfter(timing, after + i * 3_600_000);
    const perCall = (performance.now() - started) / 900;
    assert.ok(perCall < 0.5, `${perCall.toFixed(3)} ms per call`);
  });
});
