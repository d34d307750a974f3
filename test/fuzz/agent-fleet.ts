// The registered nodes a fuzz run speaks as, through the agent's own protocol (bench/simulated-agent.ts):
// each registers with an activation and its own RSA key, gets credentials with an RSA-signed token
// request and signs every later call with them. Two scopes of their own, which no other case writes to.
// Besides the actors there are witnesses: nodes that never speak after registering, with commands queued
// for them. Whatever the actors send (other nodes' message ids, other accounts' commands), the witnesses'
// invocations must stay exactly as they were.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Agent } from 'node:http';
import { AgentTransport, SimulatedAgent } from '../../bench/simulated-agent.ts';
import type { Scope } from './pools.ts';
import { callApi } from './state.ts';

/** Scopes only the agent cases use: the API and control cases never write here. */
export const AGENT_SCOPES: Scope[] = [{ account: '555555555555', region: 'us-west-2' }, { account: '666666666666', region: 'eu-central-1' }];

export interface FleetNode {
  agent: SimulatedAgent;
  nodeId: string;
  scope: Scope;
  fingerprint: string;
  key: KeyObject;
  transport: AgentTransport;
  /** Message ids handed to this node by a poll (newest last, bounded). */
  delivered: string[];
  /** Commands queued for this node (newest last, bounded). */
  commands: string[];
}

export interface Fleet {
  /** The nodes the fuzzer signs as. */
  actors: FleetNode[];
  /** Nodes nobody speaks as: their invocations are the isolation check. */
  witnesses: FleetNode[];
  activations: { scope: Scope; ActivationId: string; ActivationCode: string }[];
  /** A public key (base64 DER) for registrations the fuzzer makes, and its private key, which no actor holds. */
  publicKeyText: string;
  strangerKey: KeyObject;
  transportOf(scope: Scope): AgentTransport;
  close(): void;
}

const CAP = 20;

export function remember(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
  if (list.length > CAP) list.shift();
}

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyText: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

/** SendCommand (AWS-RunShellScript) to one node through the API; the command id, or an error naming the answer. */
export async function queueCommand(port: number, node: FleetNode): Promise<string> {
  const answer = await callApi(port, node.scope, 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: [node.nodeId], Parameters: { commands: ['echo fuzz'] } });
  const id = answer.json?.Command?.CommandId;
  if (answer.status !== 200 || typeof id !== 'string') throw new Error(`SendCommand to ${node.nodeId}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
  remember(node.commands, id);
  return id;
}

export async function startFleet(port: number): Promise<Fleet> {
  const sockets = new Agent({ keepAlive: true, maxSockets: 4 });
  const endpoint = `http://127.0.0.1:${port}`;
  const transports = new Map(AGENT_SCOPES.map((s) => [s.region, new AgentTransport(endpoint, sockets, s.region)]));
  const transportOf = (scope: Scope) => transports.get(scope.region)!;
  const activations: Fleet['activations'] = [];
  for (const scope of AGENT_SCOPES) {
    const answer = await callApi(port, scope, 'CreateActivation', { IamRole: 'SSMServiceRole', RegistrationLimit: 1000 });
    if (answer.status !== 200) throw new Error(`CreateActivation: HTTP ${answer.status} ${answer.body}`);
    activations.push({ scope, ActivationId: answer.json.ActivationId, ActivationCode: answer.json.ActivationCode });
  }
  const register = async (scope: Scope, name: string): Promise<FleetNode> => {
    const { publicKeyText, privateKey } = keyPair();
    const activation = activations.find((a) => a.scope === scope)!;
    const transport = transportOf(scope);
    const agent = await SimulatedAgent.register(transport, activation, publicKeyText, privateKey, name);
    return { agent, nodeId: agent.nodeId, scope, fingerprint: name, key: privateKey, transport, delivered: [], commands: [] };
  };
  const [x, y] = AGENT_SCOPES;
  // Two actors in one account (a node against its neighbour), one in another account and Region.
  const actors = [await register(x, 'fuzz-actor-1'), await register(x, 'fuzz-actor-2'), await register(y, 'fuzz-actor-3')];
  const witnesses = [await register(x, 'fuzz-witness-x'), await register(y, 'fuzz-witness-y')];
  for (const node of [...witnesses, ...witnesses, ...actors]) await queueCommand(port, node);
  const spare = keyPair();
  return {
    actors, witnesses, activations, publicKeyText: spare.publicKeyText, strangerKey: spare.privateKey, transportOf,
    close: () => sockets.destroy(),
  };
}

/** What the witnesses' commands look like through the API: compared before and after the run. */
export async function witnessState(port: number, fleet: Fleet): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const w of fleet.witnesses) {
    const invocations = await callApi(port, w.scope, 'ListCommandInvocations', { InstanceId: w.nodeId, Details: true });
    const commands = await callApi(port, w.scope, 'ListCommands', { InstanceId: w.nodeId });
    out[w.nodeId] = { invocations: [invocations.status, invocations.json], commands: [commands.status, commands.json] };
  }
  return out;
}
