// The manual clock refuses what cannot be simulated and stays responsive while a long move runs (issue 11:
// `advanceSeconds: 1e13` with one daily window kept the service busy for minutes, and a `setTo` near the
// end of JavaScript's time range made every later clock call a 500 and NextExecutionTime `0NaN-...`).

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { CreateMaintenanceWindowCommand, DescribeMaintenanceWindowExecutionsCommand, GetMaintenanceWindowCommand, UpdateMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { control, getClock, setClock, type ClockState } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let server: TestServer | undefined;
describe('manual clock bounds', () => {
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function manualServer(): Promise<TestServer> {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0 });
    return server;
  }

  async function dailyWindow(s: TestServer, schedule = 'rate(1 day)'): Promise<string> {
    const { WindowId } = await s.client.send(new CreateMaintenanceWindowCommand({ Name: 'daily', Schedule: schedule, Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    return WindowId!;
  }

  test('a move past 9999-12-31 is refused and changes nothing; the clock keeps answering', async () => {
    const s = await manualServer();
    await dailyWindow(s);
    for (const body of [{ advanceSeconds: 1e13 }, { advanceSeconds: 1e300 }, { setTo: '+275760-09-13T00:00:00Z' }, { setTo: '+010000-01-01T00:00:00Z' }]) {
      const refused = await control<{ __type: string; message: string }>(s, 'POST', '/_mw/clock', { body, expect: 400 });
      assert.equal(refused.__type, 'ValidationException');
      assert.match(refused.message, /cannot go past 9999-12-31T23:59:59.999Z/);
    }
    assert.equal((await getClock(s)).epochMillis, T0, 'nothing moved');
  });

  test('a move that would start more than 100,000 executions is refused before anything runs', async () => {
    const s = await manualServer();
    const windowId = await dailyWindow(s, 'rate(1 hour)');
    const refused = await control<{ __type: string; message: string }>(s, 'POST', '/_mw/clock', { body: { advanceSeconds: 12 * 366 * 86_400 }, expect: 400 });
    assert.equal(refused.__type, 'ValidationException');
    assert.match(refused.message, /would start more than 100000 window executions/);
    assert.equal((await getClock(s)).epochMillis, T0);
    const executions = await s.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId }));
    assert.deepEqual(executions.WindowExecutions, []);
  });

  test('the clock may reach the last representable instant; a window then has no next run, and nothing answers 500', async () => {
    const s = await manualServer();
    const windowId = await dailyWindow(s);
    await s.client.send(new UpdateMaintenanceWindowCommand({ WindowId: windowId, Enabled: false }));
    const last = await setClock(s, '9999-12-31T00:00:00.000Z');
    assert.equal(last.now, '9999-12-31T00:00:00.000Z');
    await s.client.send(new UpdateMaintenanceWindowCommand({ WindowId: windowId, Enabled: true }));
    const window = await s.client.send(new GetMaintenanceWindowCommand({ WindowId: windowId }));
    assert.equal(window.NextExecutionTime, undefined, 'the next daily run would be in year 10000');
    const clock = await control<ClockState>(s, 'POST', '/_mw/clock', { body: { advanceSeconds: 86_399 } });
    assert.equal(clock.now, '9999-12-31T23:59:59.000Z');
    assert.equal((await getClock(s)).now, '9999-12-31T23:59:59.000Z');
  });

  test('requests are answered while a long clock move runs', async () => {
    const s = await manualServer();
    const windowId = await dailyWindow(s, 'rate(1 hour)');
    const target = T0 + 10 * 86_400_000;
    let moved = false;
    const move = control(s, 'POST', '/_mw/clock', { body: { advanceSeconds: 10 * 86_400 } }).then(() => (moved = true));
    // The clock shows each event's time as the move passes it: a reading strictly between the start and
    // the target can only be answered while the move is still running.
    const readings: number[] = [];
    while (!moved) {
      const reading = (await getClock(s)).epochMillis;
      readings.push(reading);
      const window = await s.client.send(new GetMaintenanceWindowCommand({ WindowId: windowId }));
      assert.ok(window.NextExecutionTime);
    }
    await move;
    assert.ok(readings.some((ms) => ms > T0 && ms < target), `a clock reading came in the middle of the move: ${readings.map((ms) => new Date(ms).toISOString()).join(', ')}`);
    const executions = await s.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId, MaxResults: 10 }));
    assert.equal(executions.WindowExecutions?.length, 10);
    assert.equal((await getClock(s)).epochMillis, target);
  });
});
