// The agent's own calls (wire/agent-api.ts), as a registered node (agent-fleet.ts) makes them: a valid
// call, then mutations of its body (missing members, wrong JSON types, other nodes' and accounts' ids,
// SendReply payloads no agent sends) and of its signature (unsigned, tampered, the body swapped after
// signing, another node's key id, the wrong service's scope). What is forbidden must be refused with a 4xx.

import { jsonText, nested, raw, RawJson } from './json-text.ts';
import type { Expect } from './mutations.ts';
import type { Fleet, FleetNode } from './agent-fleet.ts';
import type { Prng } from './prng.ts';

/**
 * How the call is signed. `issued`: as the agent does, with the credentials the node was given (service
 * 'ssm' or 'ec2messages' by target). The rest must all be refused: `wrong-service` (signed for the other
 * service), `unsigned`, `tampered` (a signature digit changed), `body-swapped` (a same-length body sent in
 * place of the signed one), `borrowed-key-id` (another node's access key id with this node's signature),
 * `no-session-token` (the signed session token header left out). `rsa`: the node's own RSA key (token
 * requests); `rsa-stranger` a key it did not register; `none`: RegisterManagedInstance, unsigned by design.
 */
export type Signing = 'issued' | 'wrong-service' | 'unsigned' | 'tampered' | 'body-swapped' | 'borrowed-key-id' | 'no-session-token' | 'rsa' | 'rsa-stranger' | 'rsa-other-node' | 'none';

export interface AgentCase {
  kind: 'agent';
  label: string;
  target: string;
  actor: FleetNode;
  /** Whose access key id a `borrowed-key-id` signature names, and whose node id `rsa-other-node` claims. */
  other: FleetNode;
  body: string;
  signing: Signing;
  expect: Expect;
  /** Queue a command for the actor first, so a poll takes it at once instead of being held. */
  queueFirst: boolean;
  /** After a 200, read the invocation this reply was about and check its shape (exit code an int32). */
  readBack?: string;
}

const SSM = 'AmazonSSM.';
const MDS = 'EC2WindowsMessageDeliveryService.';
export const serviceOf = (target: string): 'ssm' | 'ec2messages' => (target.startsWith(MDS) ? 'ec2messages' : 'ssm');

const WRONG_TYPES: unknown[] = [123, null, [], {}, true, -1.5, [null], { a: 'b' }];
const NOT_OBJECTS = ['[]', 'null', '"x"', '1', '{', '{"MessageId":', '\ufeff{}', '{"a":1}x', nested(3000, 'array').text];
const ODD_MESSAGE_IDS = ['x', 'aws.ssm', 'aws.ssm..', 'aws.ssm.x.', '.', '__proto__', 'constructor', `aws.ssm.${'c'.repeat(5000)}.x`, 'aws.ssm.\u0000.mi-0', '%ZZ'];

function combine(a: Expect, b: Expect): Expect {
  if (a === 'reject' || b === 'reject') return 'reject';
  return a === 'accept' && b === 'accept' ? 'accept' : 'any';
}

/** One member broken: removed, emptied, of another JSON type, very long, or an unknown one added. */
function breakMember(prng: Prng, input: Record<string, unknown>, required: readonly string[]): { label: string; expect: Expect } {
  const names = Object.keys(input);
  if (names.length === 0 || prng.chance(0.15)) {
    const name = prng.pick(['Unknown', '__proto__', 'constructor', 'messageId', '']);
    Object.defineProperty(input, name, { value: prng.pick<unknown>(['x', 1, null, [], nested(500, 'object')]), enumerable: true, configurable: true, writable: true });
    return { label: `unknown member ${JSON.stringify(name)}`, expect: 'any' };
  }
  const name = prng.pick(names);
  const isRequired = required.includes(name);
  switch (prng.int(0, 3)) {
    case 0:
      delete input[name];
      return { label: `${name} missing`, expect: isRequired ? 'reject' : 'any' };
    case 1:
      input[name] = '';
      return { label: `${name} empty`, expect: isRequired ? 'reject' : 'any' };
    case 2: {
      const value = prng.pick(WRONG_TYPES);
      input[name] = value;
      // A string member of another type: agents send strings; an optional one may be ignored.
      return { label: `${name} ${JSON.stringify(value)}`, expect: isRequired ? 'reject' : 'any' };
    }
    default:
      input[name] = prng.pick(['x'.repeat(prng.int(1000, 300_000)), '\ud800', 'a\u0000b', '\u202e', '${x}']);
      return { label: `${name} odd string`, expect: 'any' };
  }
}

/** What the agent says in a reply (its runcommand contract), and what no agent says. */
function replyPayload(prng: Prng): { payload: string; label: string; expect: Expect } {
  const time = '2026-01-01T00:00:00.000Z';
  const agent = { lang: 'en-US', name: 'amazon-ssm-agent', os: '', osver: '1', ver: '' };
  const final = (status: string, code: unknown, output = 'out') => ({
    additionalInfo: { agent, dateTime: time, runId: '', runtimeStatusCounts: { [status]: 1 } },
    documentStatus: status, documentTraceOutput: '',
    runtimeStatus: { 'aws:runShellScript': { status, code, name: 'aws:runShellScript', output, standardOutput: output, standardError: '', startDateTime: time, endDateTime: time, outputS3BucketName: '', outputS3KeyPrefix: '', stepName: '', standardOutputUrl: '', standardErrorUrl: '' } },
  });
  const inProgress = { additionalInfo: { agent, dateTime: time, runId: '', runtimeStatusCounts: {} }, documentStatus: 'InProgress', documentTraceOutput: '', runtimeStatus: null };
  const [value, label, expect] = prng.pick<[unknown, string, Expect]>([
    [inProgress, 'InProgress', 'accept'],
    [final('Success', 0), 'Success, exit 0', 'accept'],
    [final('Failed', 1), 'Failed, exit 1', 'accept'],
    [final('Failed', prng.pick([-1, 2147483647, -2147483648, 127, 194])), 'Failed, edge int32 exit code', 'accept'],
    [final('TimedOut', 124), 'TimedOut', 'accept'],
    [final('Cancelled', -1), 'Cancelled', 'accept'],
    [final('Success', 0, 'o'.repeat(prng.int(50_000, 600_000))), 'Success with a long output', 'any'],
    [final('Failed', 1.5), 'exit code 1.5', 'reject'],
    [final('Failed', 1e20), 'exit code 1e20', 'reject'],
    [final('Failed', -2147483649), 'exit code -2147483649', 'reject'],
    // A Windows exit code is a uint32 (NTSTATUS 0xC0000005): it may be kept as the int32 of its bits (read back below).
    [final('Failed', prng.pick([2147483648, 3221225477, 4294967295])), 'exit code a uint32 beyond int32', 'any'],
    [final('Failed', prng.pick([4294967296, -4294967296, 2 ** 53])), 'exit code beyond 32 bits', 'reject'],
    [raw(jsonText(final('Failed', 0)).replace('"code":0', '"code":1e999')), 'exit code 1e999', 'reject'],
    [final('Failed', '1'), 'exit code "1"', 'any'],
    [final('Failed', null), 'exit code null', 'any'],
    [{ ...final('Success', 0), runtimeStatus: prng.pick<unknown>([[], 'x', 1, { p: null }, { p: [] }]) }, 'runtimeStatus of another shape', 'any'],
    [{ ...final('Success', 0), documentStatus: prng.pick<unknown>(['Bogus', '', 7, null, '__proto__']) }, 'unknown documentStatus', 'any'],
    [{ documentStatus: 'Success' }, 'only documentStatus', 'any'],
    [nested(prng.int(100, 20_000), 'object'), 'deeply nested', 'any'],
  ]);
  if (prng.chance(0.25)) {
    // Payload text that is not an object at all: no agent sends it.
    const text = prng.pick(['null', 'null', '[]', '[]', '"x"', '1', 'true', '{', '', ' ', '[{}]', '1e999']);
    return { payload: text, label: `Payload ${JSON.stringify(text)}`, expect: 'reject' };
  }
  return { payload: jsonText(value), label: `Payload ${label}`, expect };
}

/** A message id: the actor's own (delivered or of a command queued for it), another node's, or garbage. */
function messageId(prng: Prng, fleet: Fleet, actor: FleetNode): { id: string; label: string; expect: Expect; own?: string } {
  const others = [...fleet.actors, ...fleet.witnesses].filter((n) => n !== actor);
  const roll = prng.int(0, 9);
  if (roll <= 4 && (actor.delivered.length || actor.commands.length)) {
    const id = actor.delivered.length && prng.chance(0.7) ? prng.pick(actor.delivered) : `aws.ssm.${prng.pick(actor.commands)}.${actor.nodeId}`;
    return { id, label: 'own message', expect: 'accept', own: id };
  }
  if (roll <= 7) {
    const other = prng.pick(others);
    const command = other.commands.length ? prng.pick(other.commands) : prng.uuid();
    // Another node's message; or its command under the actor's own node id (an invocation the actor does not have).
    if (prng.chance(0.7)) return { id: `aws.ssm.${command}.${other.nodeId}`, label: `message of ${other === fleet.witnesses.find((w) => w === other) ? 'a witness' : 'another actor'} (${other.scope.account === actor.scope.account ? 'same' : 'other'} account)`, expect: 'reject' };
    return { id: `aws.ssm.${command}.${actor.nodeId}`, label: 'another node\'s command under the actor\'s own id', expect: 'any' };
  }
  if (roll === 8) return { id: `aws.ssm.${prng.uuid()}.${actor.nodeId}`, label: 'unknown command, own node', expect: 'any' };
  return { id: prng.pick(ODD_MESSAGE_IDS), label: 'malformed message id', expect: 'reject' };
}

export function agentCase(prng: Prng, fleet: Fleet): AgentCase {
  const actor = prng.pick(fleet.actors);
  const other = prng.pick([...fleet.actors, ...fleet.witnesses].filter((n) => n !== actor));
  const notes: string[] = [];
  let expect: Expect = 'accept';
  let queueFirst = false;
  let readBack: string | undefined;
  let input: Record<string, unknown>;
  let required: readonly string[];

  const operation = prng.pick(['GetMessages', 'GetMessages', 'SendReply', 'SendReply', 'SendReply', 'AcknowledgeMessage', 'DeleteMessage', 'FailMessage', 'GetEndpoint', 'UpdateInstanceInformation', 'ListInstanceAssociations', 'RequestManagedInstanceRoleToken', 'RegisterManagedInstance']);
  const target = ['GetMessages', 'SendReply', 'AcknowledgeMessage', 'DeleteMessage', 'FailMessage', 'GetEndpoint'].includes(operation) ? `${MDS}${operation}` : `${SSM}${operation}`;
  switch (operation) {
    case 'GetMessages': {
      queueFirst = prng.chance(0.5);
      const dest = prng.pick<[unknown, string, Expect]>([
        [actor.nodeId, 'own destination', 'accept'], [actor.nodeId, 'own destination', 'accept'], [actor.nodeId, 'own destination', 'accept'],
        [other.nodeId, `destination of another node (${other.scope.account === actor.scope.account ? 'same' : 'other'} account)`, 'reject'],
        [`mi-${prng.hex(17)}`, 'unknown destination', 'reject'], [prng.pick(['__proto__', 'i-0123456789abcdef0', actor.nodeId.toUpperCase(), ` ${actor.nodeId}`]), 'odd destination', 'reject'],
      ]);
      notes.push(dest[1]);
      expect = dest[2];
      input = { Destination: dest[0], MessagesRequestId: prng.uuid(), VisibilityTimeoutInSeconds: 10 };
      if (prng.chance(0.4)) {
        const v = prng.pick<unknown>([0, 1, 2, -1, 1.5, 1e20, 43200, 43201, 'x', null, raw('1e999'), [], {}]);
        input.VisibilityTimeoutInSeconds = v;
        notes.push(`VisibilityTimeoutInSeconds ${v instanceof RawJson ? v.text : JSON.stringify(v)}`);
      }
      required = ['Destination', 'MessagesRequestId'];
      break;
    }
    case 'SendReply': {
      const m = messageId(prng, fleet, actor);
      const p = replyPayload(prng);
      notes.push(m.label, p.label);
      expect = combine(m.expect, p.expect);
      if (m.own) readBack = m.own;
      input = { MessageId: m.id, ReplyId: prng.uuid(), Payload: p.payload };
      required = ['MessageId', 'Payload', 'ReplyId'];
      break;
    }
    case 'AcknowledgeMessage':
    case 'DeleteMessage':
    case 'FailMessage': {
      const m = messageId(prng, fleet, actor);
      notes.push(m.label);
      expect = m.expect;
      input = operation === 'FailMessage' ? { MessageId: m.id, FailureType: prng.pick(['InternalHandlerException', 'NoHandlerExists']) } : { MessageId: m.id };
      required = operation === 'FailMessage' ? ['MessageId', 'FailureType'] : ['MessageId'];
      if (operation === 'FailMessage' && m.own) readBack = m.own;
      break;
    }
    case 'GetEndpoint':
      input = prng.chance(0.5) ? { Protocol: 'https' } : {};
      required = [];
      break;
    case 'UpdateInstanceInformation':
    case 'ListInstanceAssociations': {
      const id = prng.pick<[string, string, Expect]>([[actor.nodeId, 'own node', 'accept'], [actor.nodeId, 'own node', 'accept'], [other.nodeId, 'another node', 'reject'], [`mi-${prng.hex(17)}`, 'unknown node', 'reject']]);
      notes.push(id[1]);
      expect = id[2];
      input = operation === 'UpdateInstanceInformation'
        ? { InstanceId: id[0], AgentVersion: '3.3.0.0', AgentStatus: 'Active', PlatformType: 'Linux', PlatformName: 'Debian GNU/Linux', PlatformVersion: '12', ComputerName: 'fuzz', IPAddress: '127.0.0.1' }
        : { InstanceId: id[0], MaxResults: 20 };
      required = ['InstanceId'];
      break;
    }
    case 'RequestManagedInstanceRoleToken': {
      const fingerprint = prng.chance(0.85) ? actor.fingerprint : prng.pick(['another-machine', other.fingerprint]);
      if (fingerprint !== actor.fingerprint) notes.push('another machine\'s fingerprint');
      expect = fingerprint === actor.fingerprint ? 'accept' : 'reject';
      input = { Fingerprint: fingerprint };
      required = ['Fingerprint'];
      break;
    }
    default: {
      const activation = fleet.activations.find((a) => a.scope === actor.scope)!;
      input = { ActivationId: activation.ActivationId, ActivationCode: activation.ActivationCode, PublicKey: fleet.publicKeyText, PublicKeyType: 'Rsa', Fingerprint: `fuzz-${prng.hex(8)}` };
      if (prng.chance(0.4)) {
        const [name, value, label] = prng.pick<[string, unknown, string]>([
          ['ActivationCode', 'wrong-code-0000000000', 'wrong activation code'], ['ActivationId', prng.uuid(), 'unknown activation'],
          ['ActivationId', fleet.activations.find((a) => a !== activation)!.ActivationId, 'another account\'s activation with this code'],
          ['PublicKeyType', prng.pick(['Dsa', 'rsa', '__proto__']), 'PublicKeyType not Rsa'], ['PublicKey', prng.pick(['garbage', 'AAAA', '', '%%%', Buffer.alloc(300).toString('base64')]), 'not an RSA key'],
        ]);
        input[name] = value;
        notes.push(label);
        expect = 'reject';
      }
      required = ['ActivationCode', 'ActivationId', 'PublicKey', 'PublicKeyType', 'Fingerprint'];
    }
  }

  for (let i = prng.pick([0, 0, 0, 1, 1, 2]); i > 0; i--) {
    const m = breakMember(prng, input, required);
    notes.push(m.label);
    expect = combine(expect, m.expect);
  }
  let body = jsonText(input);
  if (prng.chance(0.06)) {
    body = prng.pick(NOT_OBJECTS);
    notes.push('body not an object');
    expect = 'reject';
  } else if (prng.chance(0.03)) {
    body = '';
    notes.push('empty body');
    expect = combine(expect, required.length ? 'reject' : 'any');
  }

  let signing: Signing;
  if (operation === 'RegisterManagedInstance') signing = 'none';
  else if (operation === 'RequestManagedInstanceRoleToken') signing = prng.pick<Signing>(['rsa', 'rsa', 'rsa', 'rsa-stranger', 'rsa-other-node', 'unsigned']);
  else signing = prng.chance(0.75) ? 'issued' : prng.pick<Signing>(['wrong-service', 'unsigned', 'tampered', 'body-swapped', 'borrowed-key-id', 'no-session-token']);
  if (signing !== 'issued' && signing !== 'rsa' && signing !== 'none') {
    notes.push(`signed: ${signing}`);
    expect = 'reject';
  }
  if (signing === 'body-swapped' && body.length < 2) signing = 'tampered';
  return { kind: 'agent', label: `${operation} as ${actor.fingerprint}${notes.length ? ` [${notes.join('; ')}]` : ''}`, target, actor, other, body, signing, expect, queueFirst, readBack };
}
