// The real SSM Agent against the real server, each scenario in a loopback-only network namespace of its
// own (netns.ts). Skipped, with the reason, where the agent or root is not available.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { agentUnavailable, runInNetworkNamespace } from './netns.ts';

const unavailable = agentUnavailable();

for (const scenario of ['register.scenario.ts', 'commands.scenario.ts', 'windows.scenario.ts']) {
  test(`real SSM Agent: ${scenario}`, { skip: unavailable, timeout: 120_000 }, () => {
    const { status, output } = runInNetworkNamespace(join(import.meta.dirname, scenario), 110_000);
    assert.equal(status, 0, output);
    assert.match(output, /ℹ pass [1-9]/, output);
  });
}
