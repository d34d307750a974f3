// kill -9 while 32 clients write at once: after a restart on the same data, every write the API
// acknowledged is there (issue 11). Runs on SQLite here and on PostgreSQL in the PostgreSQL pass of the
// end-to-end suite. Each writer works on its own window, one request after another, so for each window
// the stored state must be at least as new as the last acknowledged request (the one in flight at the
// kill may or may not have committed).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { AddTagsToResourceCommand, CreateMaintenanceWindowCommand, GetMaintenanceWindowCommand, ListTagsForResourceCommand, UpdateMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { startServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const WRITERS = 32;
const KILL_AFTER_ACKS = 400;
const dataDir = tempDataDir();
describe('kill -9 under concurrent writers', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  interface Acked {
    windowId?: string;
    /** Index of the last acknowledged UpdateMaintenanceWindow (Description `v<n>`). */
    version: number;
    tags: string[];
  }

  test('kill -9 under 32 concurrent writers loses no acknowledged write', async () => {
    const first = await startServiceProcess(['--data-dir', dataDir, '--max-windows', '1000', '--quiet']);
    const client = sdkClient(first.endpoint);
    const acked: Acked[] = Array.from({ length: WRITERS }, () => ({ version: 0, tags: [] }));
    let acks = 0;
    let killed = false;
    const killedAt = (async () => {
      while (acks < KILL_AFTER_ACKS) await new Promise((resolve) => setImmediate(resolve));
      killed = true;
      return first.stop('SIGKILL');
    })();

    const writer = async (w: number) => {
      const state = acked[w];
      try {
        const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: `writer-${w}`, Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: false }));
        state.windowId = WindowId;
        acks++;
        for (let n = 1; !killed; n++) {
          await client.send(new UpdateMaintenanceWindowCommand({ WindowId, Description: `v${n}` }));
          state.version = n;
          acks++;
          await client.send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: WindowId, Tags: [{ Key: `k${n % 40}`, Value: String(n) }] }));
          state.tags.push(`k${n % 40}`);
          acks++;
        }
      } catch (error) {
        // Only the kill may stop a writer: a failure while the service is alive is a finding.
        if (!killed) throw error;
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    assert.equal(await killedAt, null);
    client.destroy();

    const second = await startServiceProcess(['--data-dir', dataDir, '--max-windows', '1000', '--quiet']);
    const again = sdkClient(second.endpoint);
    try {
      let checked = 0;
      for (const [w, state] of acked.entries()) {
        if (!state.windowId) continue;
        const window = await again.send(new GetMaintenanceWindowCommand({ WindowId: state.windowId }));
        assert.equal(window.Name, `writer-${w}`);
        const stored = window.Description ? Number(window.Description.slice(1)) : 0;
        assert.ok(stored >= state.version, `window ${w}: acknowledged v${state.version}, stored v${stored}`);
        const tags = new Set((await again.send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: state.windowId }))).TagList?.map((t) => t.Key));
        for (const key of state.tags) assert.ok(tags.has(key), `window ${w}: acknowledged tag ${key} is missing`);
        checked++;
      }
      assert.ok(checked > 0 && acks >= KILL_AFTER_ACKS, `${acks} acknowledged writes over ${checked} windows were checked`);
    } finally {
      again.destroy();
      assert.equal(await second.stop(), 0);
    }
  });
});
