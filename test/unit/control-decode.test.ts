// The control routes' decoders (src/wire/control-decode.ts): each body shape they accept, with the typed
// input it gives, and each refusal with the exact message the routes answer (a 400 ValidationException).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationException } from '../../src/domain/errors.ts';
import { decodeMoveClock, decodeNode, decodeNodeList, decodeOutcomeRules, MAX_RULE_OUTPUT } from '../../src/wire/control-decode.ts';

/** [what, input, the decoded value or the refusal's message] */
type Row<I> = [string, I, { ok: unknown } | { error: string }];

function run<I>(rows: Row<I>[], decode: (input: I) => unknown, errorType: new (...args: never[]) => Error = ValidationException): void {
  for (const [what, input, expected] of rows) {
    test(what, () => {
      if ('ok' in expected) {
        assert.deepEqual(decode(input), expected.ok);
      } else {
        assert.throws(() => decode(input), (error: unknown) => {
          assert.ok(error instanceof errorType, `${String(error)} is not a ${errorType.name}`);
          assert.equal(error.message, expected.error);
          return true;
        });
      }
    });
  }
}

const ONE_OF = 'Send exactly one of advanceSeconds and setTo.';

describe('POST /_mw/clock bodies', () => {
  run<unknown>([
    ['advance by seconds', { advanceSeconds: 90 }, { ok: { advanceSeconds: 90 } }],
    ['advance by a fraction', { advanceSeconds: 0.5 }, { ok: { advanceSeconds: 0.5 } }],
    ['advance by nothing', { advanceSeconds: 0 }, { ok: { advanceSeconds: 0 } }],
    ['set to an ISO time, as epoch ms', { setTo: '2030-01-01T00:00:00Z' }, { ok: { setTo: Date.UTC(2030, 0, 1) } }],
    ['no body', undefined, { error: 'Send {"advanceSeconds": N} or {"setTo": "<ISO time>"}.' }],
    ['a list', [], { error: 'Send {"advanceSeconds": N} or {"setTo": "<ISO time>"}.' }],
    ['null', null, { error: 'Send {"advanceSeconds": N} or {"setTo": "<ISO time>"}.' }],
    ['neither member', {}, { error: ONE_OF }],
    ['both members', { advanceSeconds: 1, setTo: '2030-01-01T00:00:00Z' }, { error: ONE_OF }],
    ['negative seconds', { advanceSeconds: -1 }, { error: 'advanceSeconds must be a number >= 0.' }],
    ['seconds as text', { advanceSeconds: '10' }, { error: 'advanceSeconds must be a number >= 0.' }],
    ['seconds as null', { advanceSeconds: null }, { error: 'advanceSeconds must be a number >= 0.' }],
    ['infinite seconds', { advanceSeconds: Number.POSITIVE_INFINITY }, { error: 'advanceSeconds must be a number >= 0.' }],
    ['a time that is not one', { setTo: 'garbage' }, { error: 'setTo must be an ISO-8601 date-time.' }],
    ['a time as a number', { setTo: 0 }, { error: 'setTo must be an ISO-8601 date-time.' }],
    ['a time as null', { setTo: null }, { error: 'setTo must be an ISO-8601 date-time.' }],
  ], decodeMoveClock);
});

const ID = 'i-0123456789abcdef0';
const PATTERN = '(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)';

describe('PUT /_mw/nodes/{id} bodies', () => {
  run<[string, unknown]>([
    ['no body: no tags, no groups', [ID, undefined], { ok: { id: ID, tags: {}, resourceGroups: [] } }],
    ['a short EC2 id', ['i-0123abcd', {}], { ok: { id: 'i-0123abcd', tags: {}, resourceGroups: [] } }],
    ['a hybrid id with every field', ['mi-0123456789abcdef0', {
      tags: { Env: 'prod' }, resourceGroups: ['web', 'web', 'db'], platformType: 'Windows', platformName: 'Windows Server', platformVersion: '2022',
      computerName: 'win-1', ipAddress: '10.0.0.1', agentVersion: '3.3.418.0', name: 'first',
    }], {
      ok: {
        id: 'mi-0123456789abcdef0', tags: { Env: 'prod' }, resourceGroups: ['web', 'db'], platformType: 'Windows', platformName: 'Windows Server',
        platformVersion: '2022', computerName: 'win-1', ipAddress: '10.0.0.1', agentVersion: '3.3.418.0', name: 'first',
      },
    }],
    ['an id outside the InstanceId pattern', ['i-0aaa', {}], { error: `1 validation error detected: Value 'i-0aaa' at 'nodeId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PATTERN}` }],
    ['a body that is a list', [ID, []], { error: 'The node must be a JSON object.' }],
    ['a body that is null', [ID, null], { error: 'The node must be a JSON object.' }],
    ['tags as a list', [ID, { tags: ['a'] }], { error: 'tags must be an object of string values.' }],
    ['a tag that is a number', [ID, { tags: { Env: 1 } }], { error: 'tags.Env must be a string.' }],
    ['an empty group', [ID, { resourceGroups: [''] }], { error: 'resourceGroups must be a list of non-empty strings.' }],
    ['groups as text', [ID, { resourceGroups: 'web' }], { error: 'resourceGroups must be a list of non-empty strings.' }],
    ['an unknown platform', [ID, { platformType: 'BeOS' }], { error: 'platformType must be one of Linux, Windows, MacOS.' }],
    ['an empty computer name', [ID, { computerName: '' }], { error: 'computerName must be a string of 1 to 255 characters.' }],
    ['an address too long', [ID, { ipAddress: '1'.repeat(47) }], { error: 'ipAddress must be a string of 1 to 46 characters.' }],
    ['an address that is not one', [ID, { ipAddress: '10.0.0' }], { error: 'ipAddress 10.0.0 is not an IPv4 or IPv6 address.' }],
    ['an agent version of two numbers', [ID, { agentVersion: '3.3' }], { error: "agentVersion 3.3 is not valid: 3 or 4 numbers of 1-6 digits separated by '.', such as 3.3.418.0." }],
  ], ([id, body]) => decodeNode(id, body));
});

describe('PUT /_mw/outcomes bodies', () => {
  run<unknown>([
    ['a list of rules', [{ status: 'FAILED' }], { ok: [{ match: {}, status: 'FAILED' }] }],
    ['{"rules": [...]}, as GET answers', { rules: [{ match: { taskType: 'RUN_COMMAND' }, status: 'SUCCESS', durationSeconds: 30, times: 2 }] },
      { ok: [{ match: { taskType: 'RUN_COMMAND' }, status: 'SUCCESS', durationSeconds: 30, times: 2 }] }],
    ['every optional member', [{ status: 'TIMED_OUT', statusDetails: 'slow', stdout: 'out', stderr: 'err', responseCode: -1 }],
      { ok: [{ match: {}, status: 'TIMED_OUT', statusDetails: 'slow', stdout: 'out', stderr: 'err', responseCode: -1 }] }],
    ['an empty list', [], { ok: [] }],
    ['an object without rules', { status: 'FAILED' }, { error: 'Send a JSON list of outcome rules (or {"rules": [...]}).' }],
    ['no body', undefined, { error: 'Send a JSON list of outcome rules (or {"rules": [...]}).' }],
    ['a rule that is not an object', [{ status: 'FAILED' }, 'x'], { error: 'rules[1] must be an object.' }],
    ['match as a list', [{ match: [], status: 'FAILED' }], { error: 'rules[0].match must be an object.' }],
    ['an unknown match key', [{ match: { instanceId: 'i-1' }, status: 'FAILED' }],
      { error: 'rules[0].match.instanceId is not a match key; use windowId, windowTaskId, taskArn, taskType, resourceId, documentName, pluginName.' }],
    ['an empty match value', [{ match: { windowId: '' }, status: 'FAILED' }], { error: 'rules[0].match.windowId must be a non-empty string.' }],
    ['no status', [{}], { error: 'rules[0].status must be one of SUCCESS, FAILED, TIMED_OUT.' }],
    ['a duration beyond 31 days', [{ status: 'FAILED', durationSeconds: 2_678_401 }], { error: 'rules[0].durationSeconds must be a number from 0 to 2678400.' }],
    ['a negative duration', [{ status: 'FAILED', durationSeconds: -1 }], { error: 'rules[0].durationSeconds must be a number from 0 to 2678400.' }],
    ['details too long', [{ status: 'FAILED', statusDetails: 'x'.repeat(251) }], { error: 'rules[0].statusDetails must be a string of at most 250 characters.' }],
    ['output too long', [{ status: 'FAILED', stderr: 'x'.repeat(MAX_RULE_OUTPUT + 1) }], { error: `rules[0].stderr must be a string of at most ${MAX_RULE_OUTPUT} characters.` }],
    ['a fractional exit code', [{ status: 'FAILED', responseCode: 1.5 }], { error: 'rules[0].responseCode must be an integer.' }],
    ['an exit code beyond an int', [{ status: 'FAILED', responseCode: 2 ** 31 }], { error: 'rules[0].responseCode must be an integer.' }],
    ['zero times', [{ status: 'FAILED', times: 0 }], { error: 'rules[0].times must be a positive integer.' }],
  ], decodeOutcomeRules);
});

describe('--nodes files', () => {
  run<unknown>([
    ['nodes of the default scope and of another', [{ id: ID, tags: { Env: 'prod' } }, { id: 'i-0123abcd', account: '222222222222', region: 'eu-west-1' }], {
      ok: [
        { scope: { account: '000000000000', region: 'us-east-1' }, node: { id: ID, tags: { Env: 'prod' }, resourceGroups: [] } },
        { scope: { account: '222222222222', region: 'eu-west-1' }, node: { id: 'i-0123abcd', tags: {}, resourceGroups: [] } },
      ],
    }],
    ['an object, not a list', { id: ID }, { error: 'expected a JSON list of nodes' }],
    ['an entry without an id', [{ id: ID }, { tags: {} }], { error: 'entry 2 has no "id" string' }],
    ['an entry that is null', [null], { error: 'entry 1 has no "id" string' }],
  ], decodeNodeList, Error);

  test('an entry a PUT would refuse is refused in the same words', () => {
    assert.throws(() => decodeNodeList([{ id: ID, tags: { Env: 1 } }]), new ValidationException('tags.Env must be a string.'));
  });
});
