// Parsing of Schedule expressions (SPEC 3.1): what is accepted, what is rejected, and the parsed shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScheduleError, parseSchedule } from '../../src/schedule/index.ts';

describe('parseSchedule accepts', () => {
  const valid = [
    // SPEC 3.1 examples
    'cron(0 2 ? * THU#3 *)',
    'cron(15 10 ? * MON-FRI *)',
    'cron(30 23 ? * TUE#3 *)',
    'cron(0 16 ? * TUE *)',
    'cron(0 2 L * ? *)',
    'cron(15 10 ? * 6L *)',
    'cron(24 30 09 ? * * *)', // 7 fields, leading Seconds
    'cron(0 */30 * * * ? *)', // old CLI example
    'cron(0 09 ? * WED *)',
    // special characters and names
    'cron(0/5 * * * ? *)', // exactly every 5 minutes is the floor
    'cron(0,55 * * * ? *)',
    'cron(0,58 0,12 * * ? *)', // 58 -> 0 is only 2 minutes apart, but 0 and 12 are not consecutive hours
    'cron(5-50/15 1-5 1,15 JAN-jun ? 2024-2030)',
    'cron(0 9 15W * ? *)',
    'cron(0 9 LW * ? *)',
    'cron(0 9 L-2 * ? *)',
    'cron(0 9 1,L * ? *)',
    'cron(0 9 ? jan,Jul mon *)',
    'cron(0 9 ? * 2-6/2 *)',
    'cron(0 9 ? * */2 *)',
    'cron(0 9 ? * L *)',
    'cron(0 9 ? * FRIL *)',
    'cron(0 9 ? * 5#3,SUN *)',
    'cron(0 0 29 FEB ? 2196)',
    'cron(0 0 1 1 ? 1970,2199)',
    'cron(0 0 30 FEB ? *)', // valid but never fires
    'cron( 0  2 ? * * * )', // extra spaces between fields are tolerated
    // rate, SPEC 3.1 list
    'rate(5 minutes)', 'rate(30 minutes)', 'rate(180 minutes)', 'rate(240 minutes)', 'rate(1 hour)',
    'rate(5 hours)', 'rate(1 day)', 'rate(3 days)', 'rate(7 days)', 'rate(25 days)',
    // at
    'at(2021-07-07T13:15:30)',
    'at(2024-02-29T00:00:00)',
  ];
  for (const expression of valid) {
    it(expression, () => {
      assert.doesNotThrow(() => parseSchedule(expression));
    });
  }
});

describe('parseSchedule rejects', () => {
  const invalid: [string, RegExp][] = [
    // SPEC 3.1 invalid examples
    ['cron(0 2 * * * *)', /one of Day-of-month and Day-of-week must be \?/],
    ['cron(0 2 * *)', /needs 6 fields .* but has 4/],
    ['cron(60 2 ? * * *)', /Minutes value 60 is out of range 0-59/],
    ['cron(0 2 ? * 3#6 *)', /#6.*out of range/],
    // field counts and garbage
    ['cron()', /but has 0/],
    ['cron(0 2 ? * * * * *)', /but has 8/],
    ['cron(0 1 2 3 4 5 2024)', /must be \?/], // 7 fields: both day fields set
    ['cron(a b ? * * *)', /Minutes value "a" is not valid/],
    ['cron(0 2 ? * * *', /must be a cron/],
    ['CRON(0 2 ? * * *)', /must be a cron/],
    [' cron(0 2 ? * * *)', /must be a cron/],
    ['every day', /must be a cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/],
    ['', /must be a cron/],
    // day fields
    ['cron(0 2 ? * ? *)', /only one of Day-of-month and Day-of-week can be \?/],
    ['cron(0 2 ?,1 * ? *)', /can be \?|whole Day-of-month/],
    ['cron(0 2 ? * ?,1 *)', /whole Day-of-week/],
    ['cron(0 2 1 * ?,1 *)', /must be \?/],
    ['cron(0 ? 1 * ? *)', /Hours field cannot contain \?/],
    ['cron(0 2 ? * 1#1,2#2 *)', /only one # term/],
    ['cron(0 2 ? * 5#0 *)', /#0.*out of range/],
    ['cron(0 2 ? * #2 *)', /not valid/],
    ['cron(0 2 1-5W * ? *)', /not valid/],
    ['cron(0 2 L-31 * ? *)', /out of range/],
    ['cron(0 2 ? * 3W *)', /not valid/],
    ['cron(0 2 15L * ? *)', /not valid/],
    // out of range
    ['cron(0 24 ? * * *)', /Hours value 24 is out of range 0-23/],
    ['cron(0 2 0 * ? *)', /Day-of-month value 0/],
    ['cron(0 2 32 * ? *)', /Day-of-month value 32/],
    ['cron(0 2 ? 13 * *)', /Month value 13/],
    ['cron(0 2 ? * 0 *)', /Day-of-week value 0/],
    ['cron(0 2 ? * 8 *)', /Day-of-week value 8/],
    ['cron(0 2 ? * FOO *)', /Day-of-week value "FOO"/],
    ['cron(0 2 ? * * 1969)', /Year value 1969/],
    ['cron(0 2 ? * * 2200)', /Year value 2200/],
    ['cron(60 0 2 ? * * *)', /Seconds value 60/],
    // ranges and steps
    ['cron(0 22-2 ? * * *)', /ends before it starts/],
    ['cron(0 2 ? * MON-SUN *)', /ends before it starts/],
    ['cron(0/0 2 ? * * *)', /step 0 is out of range/],
    ['cron(*/60 2 ? * * *)', /step 60 is out of range/],
    ['cron(0 2/ ? * * *)', /step "" is not valid/],
    ['cron(0 1-2-3 ? * * *)', /range "1-2-3" is not valid/],
    ['cron(0 1,,2 ? * * *)', /empty list entry/],
    // more often than every 5 minutes
    ['cron(0/1 * * * ? *)', /more often than every 5 minutes/],
    ['cron(* * * * ? *)', /more often than every 5 minutes/],
    ['cron(0,4 * * * ? *)', /more often than every 5 minutes/],
    ['cron(0,57 * * * ? *)', /more often than every 5 minutes/], // 57 -> 0 of the next hour
    ['cron(0,58 0,23 * * ? *)', /more often than every 5 minutes/], // 23:58 -> 00:00
    ['cron(0,30 0 2 ? * * *)', /more often than every 5 minutes/], // two seconds values
    // rate
    ['rate(4 minutes)', /at least 5 minutes/],
    ['rate(1 minute)', /at least 5 minutes/],
    ['rate(0 minutes)', /positive integer/],
    ['rate(05 minutes)', /positive integer/],
    ['rate(-5 minutes)', /positive integer/],
    ['rate(+5 minutes)', /positive integer/],
    ['rate(5.5 hours)', /positive integer/],
    ['rate(1 hours)', /singular unit hour/],
    ['rate(1 days)', /singular unit day/],
    ['rate(5 hour)', /plural unit hours/],
    ['rate(2 day)', /plural unit days/],
    ['rate(5 weeks)', /positive integer/],
    ['rate(5 Minutes)', /positive integer/],
    ['rate(5minutes)', /positive integer/],
    ['rate()', /positive integer/],
    ['rate(99999999999999 days)', /too large/],
    // at
    ['at(2021-02-30T00:00:00)', /not a valid date/],
    ['at(2021-07-07T24:00:00)', /not a valid date/],
    ['at(2021-07-07 13:15:30)', /must look like at\(yyyy-MM-ddTHH:mm:ss\)/],
    ['at(2021-07-07T13:15)', /must look like/],
    ['at(2021-07-07T13:15:30Z)', /must look like/],
  ];
  for (const [expression, message] of invalid) {
    it(JSON.stringify(expression), () => {
      assert.throws(
        () => parseSchedule(expression),
        (err: unknown) => {
          assert.ok(err instanceof ScheduleError, 'throws a ScheduleError');
          assert.match(err.message, message);
          assert.ok(err.message.startsWith(`Schedule expression ${expression} is invalid: `), err.message);
          return true;
        },
      );
    });
  }
});

describe('parsed shape', () => {
  it('6-field cron gets seconds [0]; day-of-week numbering is 1 = Sunday', () => {
    assert.deepEqual(parseSchedule('cron(15 10 ? * MON-FRI *)'), {
      kind: 'cron',
      seconds: [0],
      minutes: [15],
      hours: [10],
      months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      years: Array.from({ length: 230 }, (_, i) => 1970 + i),
      days: { field: 'dow', values: [2, 3, 4, 5, 6], lastOf: [], nth: [] },
    });
  });

  it('7-field cron, steps and day-of-month specials', () => {
    const cron = parseSchedule('cron(24 1/20 9-17/4 L,LW,15W,L-3,1-3 */5 ? 2030)');
    assert.equal(cron.kind, 'cron');
    if (cron.kind !== 'cron') return;
    assert.deepEqual(cron.seconds, [24]);
    assert.deepEqual(cron.minutes, [1, 21, 41]);
    assert.deepEqual(cron.hours, [9, 13, 17]);
    assert.deepEqual(cron.months, [1, 6, 11]);
    assert.deepEqual(cron.years, [2030]);
    assert.deepEqual(cron.days, {
      field: 'dom', values: [1, 2, 3], lastOffsets: [0, 3], lastWeekday: true, nearestWeekday: [15],
    });
  });

  it('THU#3, 6L and L in day-of-week', () => {
    const cron = parseSchedule('cron(0 2 ? * THU#3,6L,L *)');
    assert.ok(cron.kind === 'cron');
    assert.deepEqual(cron.days, { field: 'dow', values: [7], lastOf: [6], nth: [{ weekday: 5, n: 3 }] });
  });

  it('rate intervals', () => {
    const table: [string, number][] = [
      ['rate(5 minutes)', 300_000],
      ['rate(1 hour)', 3_600_000],
      ['rate(180 minutes)', 10_800_000],
      ['rate(1 day)', 86_400_000],
      ['rate(7 days)', 604_800_000],
    ];
    for (const [expression, intervalMs] of table) assert.deepEqual(parseSchedule(expression), { kind: 'rate', intervalMs });
  });

  it('at keeps the wall-clock fields', () => {
    assert.deepEqual(parseSchedule('at(2021-07-07T13:15:30)'), {
      kind: 'at', year: 2021, month: 7, day: 7, hour: 13, minute: 15, second: 30,
    });
  });
});
