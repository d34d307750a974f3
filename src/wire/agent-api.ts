// The calls only the SSM Agent makes, which the public AWS model does not describe: their shapes come
// from the agent's own SDK (github.com/aws/amazon-ssm-agent, extra/aws-sdk-go/service/ssm). Each one
// authenticates in its own way, so they are dispatched before the model-driven pipeline:
// RegisterManagedInstance is unsigned (the activation code is the secret).

import { ServiceError, ValidationException } from '../domain/errors.ts';
import type { AgentDelivery } from '../service/agent-delivery.ts';
import type { AgentIdentity, AgentService } from '../service/agents.ts';
import type { Scope } from '../domain/model.ts';
import type { Clock } from '../service/ports.ts';
import type { RegistrationService } from '../service/registrations.ts';
import type { ApiRequest } from './http-server.ts';
import { agentMessage, DEFAULT_VISIBILITY_SECONDS, invalid, messageRef, replyOf } from './ec2messages-format.ts';
import { SignatureVerifier } from './sigv4.ts';

export type AgentOperation = (request: ApiRequest) => Promise<unknown>;

/**
 * An agent call that is also an API operation (GetDocument: the agent's aws:runDocument fetches a document
 * with its node's credentials): once the node is verified, the API's own operation runs in its account.
 */
export class RunAsNode {
  readonly scope: Scope;
  constructor(scope: Scope) {
    this.scope = scope;
  }
}

/** What such a call answers when it is not signed with a node's credentials: the API serves it as usual. */
export const NOT_AN_AGENT_CALL: unique symbol = Symbol('not an agent call');

const accessKeyPattern = /Credential=([^/,\s]+)\//;

function body(request: ApiRequest): Record<string, unknown> {
  try {
    const value = request.body.trim() === '' ? {} : JSON.parse(request.body);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ServiceError('SerializationException', 'Request body is not valid JSON.');
}

/** The members named, as strings, with AWS's wording for a missing one (member names in lowerCamel). */
function strings<K extends string>(input: Record<string, unknown>, names: readonly K[]): Record<K, string> {
  const missing = names.filter((n) => typeof input[n] !== 'string' || input[n] === '');
  if (missing.length > 0) {
    const lower = (n: string) => n.charAt(0).toLowerCase() + n.slice(1);
    const details = missing.map((n) => `Value null at '${lower(n)}' failed to satisfy constraint: Member must not be null`);
    throw new ValidationException(`${details.length} validation error${details.length > 1 ? 's' : ''} detected: ${details.join('; ')}`);
  }
  return Object.fromEntries(names.map((n) => [n, input[n] as string])) as Record<K, string>;
}

/**
 * Who signed an agent call. `rsa`: the node itself, with the key it registered (its mi- id is the access
 * key id), for RequestManagedInstanceRoleToken. `issued`: the credentials that call gave it, for every
 * later call; a key belongs to one node, so a node can act only as itself.
 */
export function agentVerifiers(agents: AgentService, realClock: Clock) {
  const byNodeKey = new SignatureVerifier({
    find: async (nodeId) => {
      const found = await agents.registeredNode(nodeId);
      return found && { accessKeyId: nodeId, secretAccessKey: '', accountId: found.scope.account, publicKey: found.publicKey };
    },
  }, realClock);
  const byIssuedKey = new SignatureVerifier({
    find: async (accessKeyId) => {
      const found = await agents.credential(accessKeyId);
      if (!found) return undefined;
      const { credential, scope } = found;
      return { accessKeyId, secretAccessKey: credential.secretAccessKey, sessionToken: credential.sessionToken, accountId: scope.account, subject: credential.nodeId };
    },
  }, realClock);
  return {
    async node(request: ApiRequest): Promise<AgentIdentity> {
      const { account, region, accessKeyId } = await byNodeKey.verify(request);
      return { scope: { account, region }, nodeId: accessKeyId };
    },
    /** The node whose issued credentials signed the request, and the key they signed with. */
    async issued(request: Pick<ApiRequest, 'method' | 'url' | 'headers' | 'body'>, service = 'ssm'): Promise<AgentIdentity & { accessKeyId: string }> {
      const { account, region, subject, accessKeyId } = await byIssuedKey.verify(request, { service });
      return { scope: { account, region }, nodeId: subject!, accessKeyId };
    },
  };
}

/** A message id as the agent's SDK requires it (ssmmds: MessageId, min length 16). */
function messageId(input: Record<string, unknown>): string {
  const { MessageId } = strings(input, ['MessageId'] as const);
  if (MessageId.length < 16) throw invalid(MessageId, 'messageId', 'Member must have length greater than or equal to 16');
  return MessageId;
}

/** The longest a poll may keep what it took invisible (inference: SQS's maximum, 12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

/** GetMessages' VisibilityTimeoutInSeconds (the agent sends 10): a whole number of seconds, 1 to 12 hours. */
function visibilitySeconds(input: Record<string, unknown>): number {
  const value = input.VisibilityTimeoutInSeconds;
  if (value === undefined || value === null) return DEFAULT_VISIBILITY_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_VISIBILITY_SECONDS) {
    throw invalid(value, 'visibilityTimeoutInSeconds', `Member must be a whole number between 1 and ${MAX_VISIBILITY_SECONDS}`);
  }
  return value;
}

/** FailMessage's FailureType: the ssmmds enum. */
const FAILURE_TYPES = ['NoHandlerExists', 'InternalHandlerException'];

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  return typeof input[name] === 'string' && input[name] !== '' ? (input[name] as string) : undefined;
}

/**
 * The agent's calls. `delivery`: the Run Command delivery use cases the ec2messages calls turn into;
 * `realClock`: the time a message says it was created (the agent reads it with its own clock).
 */
export function agentOperations(registrations: RegistrationService, agents: AgentService, delivery: AgentDelivery, realClock: Clock): Record<string, AgentOperation> {
  const verify = agentVerifiers(agents, realClock);
  return {
    'AmazonSSM.RequestManagedInstanceRoleToken': async (request) => {
      const identity = await verify.node(request);
      const { Fingerprint } = strings(body(request), ['Fingerprint'] as const);
      const credential = await agents.issueCredentials(identity, Fingerprint);
      return {
        AccessKeyId: credential.accessKeyId,
        SecretAccessKey: credential.secretAccessKey,
        SessionToken: credential.sessionToken,
        TokenExpirationDate: credential.expiresAt / 1000,
        UpdateKeyPair: false,
      };
    },
    'AmazonSSM.UpdateInstanceInformation': async (request) => {
      const identity = await verify.issued(request);
      const input = body(request);
      const { InstanceId } = strings(input, ['InstanceId'] as const);
      if (InstanceId !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot act for ${InstanceId}.`);
      await agents.heartbeat(identity, {
        agentVersion: optionalString(input, 'AgentVersion'),
        platformType: optionalString(input, 'PlatformType'),
        platformName: optionalString(input, 'PlatformName'),
        platformVersion: optionalString(input, 'PlatformVersion'),
        computerName: optionalString(input, 'ComputerName'),
        ipAddress: optionalString(input, 'IPAddress'),
      });
      return {};
    },
    // The agent asks for its State Manager associations at start and every 10 minutes. This service has
    // none (State Manager is not served): an empty list, so it does not fall back to ListAssociations.
    'AmazonSSM.ListInstanceAssociations': async (request) => {
      const identity = await verify.issued(request);
      const { InstanceId } = strings(body(request), ['InstanceId'] as const);
      if (InstanceId !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot act for ${InstanceId}.`);
      return { Associations: [] };
    },
    'AmazonSSM.RegisterManagedInstance': async (request) => {
      const input = strings(body(request), ['ActivationCode', 'ActivationId', 'PublicKey', 'PublicKeyType', 'Fingerprint'] as const);
      const { instanceId } = await registrations.register({
        activationId: input.ActivationId, activationCode: input.ActivationCode, publicKey: input.PublicKey,
        publicKeyType: input.PublicKeyType, fingerprint: input.Fingerprint,
      });
      return { InstanceId: instanceId };
    },

    // ---- the message delivery service (ec2messages), signed for the service `ec2messages`
    'EC2WindowsMessageDeliveryService.GetMessages': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      const input = body(request);
      const { Destination, MessagesRequestId } = strings(input, ['Destination', 'MessagesRequestId'] as const);
      const visibility = visibilitySeconds(input);
      if (Destination === identity.nodeId) await agents.polled(identity);
      const deliveries = await delivery.poll(identity, Destination, visibility * 1000);
      return { Destination, MessagesRequestId, Messages: deliveries.map((d) => agentMessage(d, identity.scope.region, realClock.now())) };
    },
    'EC2WindowsMessageDeliveryService.AcknowledgeMessage': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      await delivery.acknowledge(identity, messageRef(messageId(body(request))));
      return {};
    },
    // The message leaves the queue for good: as acknowledged, never delivered again.
    'EC2WindowsMessageDeliveryService.DeleteMessage': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      await delivery.acknowledge(identity, messageRef(messageId(body(request))));
      return {};
    },
    'EC2WindowsMessageDeliveryService.FailMessage': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      const input = body(request);
      const id = messageId(input);
      const { FailureType } = strings(input, ['FailureType'] as const);
      if (!FAILURE_TYPES.includes(FailureType)) throw invalid(FailureType, 'failureType', `Member must satisfy enum value set: [${FAILURE_TYPES.join(', ')}]`);
      await delivery.fail(identity, messageRef(id));
      return {};
    },
    'EC2WindowsMessageDeliveryService.SendReply': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      const input = body(request);
      const id = messageId(input);
      const { Payload, ReplyId } = strings(input, ['Payload', 'ReplyId'] as const);
      if (ReplyId.length < 16) throw invalid(ReplyId, 'replyId', 'Member must have length greater than or equal to 16');
      // Checked whole before anything is recorded: a payload no agent sends changes nothing.
      const reply = replyOf(Payload);
      await delivery.reply(identity, messageRef(id), reply);
      return { MessageId: id, ReplyId, ReplyStatus: 'Acknowledged', Description: '' };
    },
    // The agent's aws:runDocument plugin reads an SSM document of its node's account (agent/plugins/
    // rundocument: GetDocument with Name and DocumentVersion). Signed with any other key, it is the API's.
    'AmazonSSM.GetDocument': async (request) => {
      const accessKeyId = accessKeyPattern.exec(request.authorization ?? '')?.[1];
      if (accessKeyId === undefined || !(await agents.credential(accessKeyId))) return NOT_AN_AGENT_CALL;
      const identity = await verify.issued(request);
      return new RunAsNode(identity.scope);
    },
    'EC2WindowsMessageDeliveryService.GetEndpoint': async (request) => {
      await verify.issued(request, 'ec2messages');
      // Nothing of the input decides the answer, but a body that is not a JSON object is refused as on every call.
      body(request);
      return { Endpoint: request.headers.host ?? '' };
    },
  };
}
