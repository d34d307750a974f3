// The real SSM Agent against the real server, each scenario in a loopback-only network namespace of its
// own (netns.ts), all at once. Skipped, with the reason, where the agent or root is not available.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { agentUnavailable, runInNetworkNamespace, sessionWorker } from './netns.ts';

const unavailable = agentUnavailable();
// Shells need the agent's fourth binary, which ../shared/ssm-agent does not ship.
const noSessionWorker = sessionWorker() ? undefined : 'no ssm-session-worker (not in ../shared/ssm-agent/bin; MW_SSM_SESSION_WORKER may name one built from the agent\'s source)';

const scenarios = ['register.scenario.ts', 'commands.scenario.ts', 'windows.scenario.ts', 'lifecycle.scenario.ts', 'replicas.scenario.ts', 'documents.scenario.ts', 'automation.scenario.ts', 'control-channel.scenario.ts', 'session.scenario.ts'];

describe('real SSM Agent', { concurrency: true }, () => {
  for (const scenario of scenarios) {
    test(scenario, { skip: unavailable ?? (scenario === 'session.scenario.ts' ? noSessionWorker : undefined), timeout: 200_000 }, async () => {
      const { status, output } = await runInNetworkNamespace(join(import.meta.dirname, scenario), 190_000);
      assert.equal(status, 0, output);
      assert.match(output, /ℹ pass [1-9]/, output);
      assert.match(output, /ℹ fail 0/, output);
    });
  }
});
