// The real SSM Agent against the real server, each scenario in a loopback-only network namespace of its
// own (netns.ts), all at once. Skipped, with the reason, where the agent or root is not available.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { agentUnavailable, runInNetworkNamespace } from './netns.ts';

const unavailable = agentUnavailable();

const scenarios = ['register.scenario.ts', 'commands.scenario.ts', 'windows.scenario.ts', 'lifecycle.scenario.ts', 'replicas.scenario.ts', 'documents.scenario.ts', 'automation.scenario.ts', 'control-channel.scenario.ts'];

describe('real SSM Agent', { concurrency: true }, () => {
  for (const scenario of scenarios) {
    test(scenario, { skip: unavailable, timeout: 200_000 }, async () => {
      const { status, output } = await runInNetworkNamespace(join(import.meta.dirname, scenario), 190_000);
      assert.equal(status, 0, output);
      assert.match(output, /ℹ pass [1-9]/, output);
      assert.match(output, /ℹ fail 0/, output);
    });
  }
});
