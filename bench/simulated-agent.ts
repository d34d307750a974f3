// A simulated SSM Agent for the benchmark: the agent's own protocol against this service, as
// test/e2e/agent-identity.test.ts speaks it. RegisterManagedInstance unsigned (the activation code is the
// secret), RequestManagedInstanceRoleToken signed with the node's RSA key (RSA-PSS SHA-256 over the SigV4
// string to sign, the mi- id as the access key id), every later call SigV4-signed with the issued
// credentials ('ssm', or 'ec2messages' for the message delivery service). Many agents share one
// keep-alive node:http Agent: each held poll is one connection of its own, as with real agents.

import { createHash, createHmac, type KeyObject, randomUUID, sign } from 'node:crypto';
import { type Agent, request as httpRequest } from 'node:http';
import { getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { Sha256 } from '../src/wire/sigv4.ts';

export interface AgentReply {
  status: number;
  body: Record<string, unknown>;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
}

/** A message as GetMessages answers it (wire/ec2messages-format.ts). */
export interface DeliveredMessage {
  MessageId: string;
  Topic: string;
  Payload: string;
  PayloadDigest: string;
  Destination: string;
}

const JSON_TYPE = 'application/x-amz-json-1.1';

function amzDate(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const sha256Of = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function sha256Hex(text: string): Promise<string> {
  const hash = new Sha256();
  hash.update(text);
  return Buffer.from(await hash.digest()).toString('hex');
}

/** Signs as the agent's rsaauth does: the SigV4 string to sign, RSA-PSS SHA-256 over it, base64. */
class RsaSigner extends SignatureV4 {
  private readonly region: string;
  constructor(region: string) {
    super({ service: 'ssm', region, credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Sha256, applyChecksum: false });
    this.region = region;
  }

  async headersFor(request: HttpRequest, nodeId: string, key: KeyObject): Promise<Record<string, string>> {
    const longDate = amzDate();
    request.headers['x-amz-date'] = longDate;
    const signed = new Set(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
    const canonical = this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signed), await sha256Hex(String(request.body)));
    const scope = `${longDate.slice(0, 8)}/${this.region}/ssm/aws4_request`;
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, 'AWS4-HMAC-SHA256');
    const signature = sign('sha256', Buffer.from(stringToSign), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */ }).toString('base64');
    return { ...request.headers, authorization: `AWS4-HMAC-SHA256 Credential=${nodeId}/${scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${signature}` };
  }
}

/** The HTTP side every simulated agent shares: one endpoint, one pool of keep-alive connections. */
export class AgentTransport {
  readonly region: string;
  /** The Host header the requests carry (`127.0.0.1:PORT`). */
  readonly host: string;
  private readonly url: URL;
  private readonly agent: Agent;

  constructor(endpoint: string, agent: Agent, region: string) {
    this.url = new URL(endpoint);
    this.host = this.url.host;
    this.agent = agent;
    this.region = region;
  }

  /**
   * One POST. `timeoutMs` bounds the socket's silence (a held poll is answered within 15 s).
   * `onSent`: called once the whole request is on the wire (a poll is then the service's to hold).
   */
  request(headers: Record<string, string>, body: string, timeoutMs: number, onSent?: () => void): Promise<AgentReply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: this.url.hostname, port: this.url.port, method: 'POST', path: '/', agent: this.agent, timeout: timeoutMs,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> });
          } catch {
            reject(new Error(`answer ${res.statusCode} is not JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      if (onSent) req.on('finish', onSent);
      req.end(body);
    });
  }

  /**
   * One POST whose connection is destroyed as soon as the answer starts, its body never read: an agent that
   * died (or lost its network) just as its poll was answered. Resolves with the answer's status.
   */
  requestAbandoned(headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: this.url.hostname, port: this.url.port, method: 'POST', path: '/', agent: false, timeout: timeoutMs,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        answered = true;
        res.socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      let answered = false;
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => { if (!answered) reject(error); });
      req.end(body);
    });
  }

  baseRequest(target: string, body: string): HttpRequest {
    return {
      method: 'POST', protocol: 'http:', hostname: this.url.hostname, port: Number(this.url.port), path: '/', query: {}, body,
      headers: { 'content-type': JSON_TYPE, host: this.url.host, 'x-amz-target': target },
    };
  }

  unsigned(target: string, input: object): Promise<AgentReply> {
    return this.request({ 'content-type': JSON_TYPE, 'x-amz-target': target }, JSON.stringify(input), 30_000);
  }

  /** The headers of an RSA-signed call (RequestManagedInstanceRoleToken) for `body`, to send as they are or changed. */
  rsaHeaders(target: string, body: string, nodeId: string, key: KeyObject): Promise<Record<string, string>> {
    return new RsaSigner(this.region).headersFor(this.baseRequest(target, body), nodeId, key);
  }

  async rsaSigned(target: string, input: object, nodeId: string, key: KeyObject): Promise<AgentReply> {
    const body = JSON.stringify(input);
    const headers = await new RsaSigner(this.region).headersFor(this.baseRequest(target, body), nodeId, key);
    return this.request(headers, body, 30_000);
  }
}

function ok(reply: AgentReply, what: string): Record<string, unknown> {
  if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
  return reply.body;
}

/** What the agent's final SendReply says for a one-plugin shell document that printed `output` and exited 0. */
export function successReply(plugin: string, output: string, at: Date): Record<string, unknown> {
  const time = at.toISOString();
  return {
    additionalInfo: { agent: { lang: 'en-US', name: 'amazon-ssm-agent', os: '', osver: '1', ver: '' }, dateTime: time, runId: '', runtimeStatusCounts: { Success: 1 } },
    documentStatus: 'Success',
    documentTraceOutput: '',
    runtimeStatus: {
      [plugin]: {
        status: 'Success', code: 0, name: plugin, output, standardOutput: output, standardError: '',
        startDateTime: time, endDateTime: time, outputS3BucketName: '', outputS3KeyPrefix: '', stepName: '', standardOutputUrl: '', standardErrorUrl: '',
      },
    },
  };
}

/** What the agent sends first when it starts a document: InProgress, no plugin ended yet. */
function inProgressReply(at: Date): Record<string, unknown> {
  return {
    additionalInfo: { agent: { lang: 'en-US', name: 'amazon-ssm-agent', os: '', osver: '1', ver: '' }, dateTime: at.toISOString(), runId: '', runtimeStatusCounts: {} },
    documentStatus: 'InProgress',
    documentTraceOutput: '',
    runtimeStatus: null,
  };
}

/** One registered node's agent: its id and credentials, and the calls it makes with them. */
export class SimulatedAgent {
  readonly nodeId: string;
  private readonly transport: AgentTransport;
  private readonly ssm: SignatureV4;
  private readonly messages: SignatureV4;
  private readonly keys: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Signing keys by credential scope (quickSigned). */
  private readonly signingKeys = new Map<string, Buffer>();

  private constructor(transport: AgentTransport, nodeId: string, credentials: IssuedCredentials) {
    this.transport = transport;
    this.nodeId = nodeId;
    const keys = { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
    this.keys = keys;
    this.ssm = new SignatureV4({ service: 'ssm', region: transport.region, sha256: Sha256, credentials: keys });
    this.messages = new SignatureV4({ service: 'ec2messages', region: transport.region, sha256: Sha256, credentials: keys });
  }

  /**
   * What an agent does when it joins: register with the activation and a public key, get credentials
   * with an RSA-signed token request, report its machine (UpdateInstanceInformation).
   */
  static async register(
    transport: AgentTransport, activation: { ActivationId: string; ActivationCode: string }, publicKey: string, privateKey: KeyObject, fingerprint: string,
  ): Promise<SimulatedAgent> {
    const registered = ok(await transport.unsigned('AmazonSSM.RegisterManagedInstance', {
      ActivationId: activation.ActivationId, ActivationCode: activation.ActivationCode, PublicKey: publicKey, PublicKeyType: 'Rsa', Fingerprint: fingerprint,
    }), 'RegisterManagedInstance');
    const nodeId = String(registered.InstanceId);
    const credentials = ok(await transport.rsaSigned('AmazonSSM.RequestManagedInstanceRoleToken', { Fingerprint: fingerprint }, nodeId, privateKey), 'RequestManagedInstanceRoleToken');
    const agent = new SimulatedAgent(transport, nodeId, credentials as unknown as IssuedCredentials);
    ok(await agent.call('ssm', 'AmazonSSM.UpdateInstanceInformation', {
      InstanceId: nodeId, AgentVersion: '3.3.0.0', AgentStatus: 'Active', PlatformType: 'Linux', PlatformName: 'Debian GNU/Linux', PlatformVersion: '12',
      ComputerName: `bench-${fingerprint}`, IPAddress: '127.0.0.1',
    }), 'UpdateInstanceInformation');
    return agent;
  }

  async call(service: 'ssm' | 'ec2messages', target: string, input: object, timeoutMs = 30_000, onSent?: () => void): Promise<AgentReply> {
    const body = JSON.stringify(input);
    return this.transport.request(this.quickSigned(service, target, body), body, timeoutMs, onSent);
  }

  /**
   * The SigV4 headers of one call, as the SDK's signer (`signedHeaders`) computes them but with the
   * signing key derived once per day and service: a fleet of agents shares this process, where each real
   * one signs on its own machine, so the fleet's signing should not stand in for the service's time.
   */
  private quickSigned(service: 'ssm' | 'ec2messages', target: string, body: string): Record<string, string> {
    const longDate = amzDate();
    const day = longDate.slice(0, 8);
    const scope = `${day}/${this.transport.region}/${service}/aws4_request`;
    let key = this.signingKeys.get(scope);
    if (!key) {
      const hmac = (k: Buffer | string, data: string) => createHmac('sha256', k).update(data).digest();
      key = hmac(hmac(hmac(hmac(`AWS4${this.keys.secretAccessKey}`, day), this.transport.region), service), 'aws4_request');
      this.signingKeys.set(scope, key);
    }
    const headers: Record<string, string> = {
      'content-type': JSON_TYPE, host: this.transport.host, 'x-amz-date': longDate, 'x-amz-security-token': this.keys.sessionToken, 'x-amz-target': target,
    };
    const names = 'content-type;host;x-amz-date;x-amz-security-token;x-amz-target';
    const canonical = `POST\n/\n\ncontent-type:${JSON_TYPE}\nhost:${headers.host}\nx-amz-date:${longDate}\nx-amz-security-token:${this.keys.sessionToken}\nx-amz-target:${target}\n\n${names}\n${sha256Of(body)}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${sha256Of(canonical)}`;
    const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.keys.accessKeyId}/${scope}, SignedHeaders=${names}, Signature=${signature}`;
    return headers;
  }

  /** The issued credentials' signature on any request, for `service` (ssmmessages: the control channel's POST and upgrade). */
  async sign(service: string, request: HttpRequest): Promise<Record<string, string>> {
    const signer = new SignatureV4({ service, region: this.transport.region, sha256: Sha256, credentials: this.keys });
    return (await signer.sign(request)).headers as Record<string, string>;
  }

  /** The headers this agent's SigV4 signature gives `body` for `target` (for tests that send them as they are or changed). */
  async signedHeaders(service: 'ssm' | 'ec2messages', target: string, body: string): Promise<Record<string, string>> {
    const signed = await (service === 'ssm' ? this.ssm : this.messages).sign(this.transport.baseRequest(target, body));
    return signed.headers as Record<string, string>;
  }

  /** One GetMessages long poll: held by the service until a message is queued or its hold runs out. */
  async poll(onSent?: () => void): Promise<DeliveredMessage[]> {
    const reply = ok(await this.call('ec2messages', 'EC2WindowsMessageDeliveryService.GetMessages', {
      Destination: this.nodeId, MessagesRequestId: randomUUID(), VisibilityTimeoutInSeconds: 10,
    }, 30_000, onSent), 'GetMessages');
    return (reply.Messages as DeliveredMessage[] | undefined) ?? [];
  }

  /** A GetMessages poll whose answer is never read (its connection destroyed as it starts): the answer's HTTP status. */
  async pollAbandoned(): Promise<number> {
    const body = JSON.stringify({ Destination: this.nodeId, MessagesRequestId: randomUUID(), VisibilityTimeoutInSeconds: 10 });
    const signed = await this.messages.sign(this.transport.baseRequest('EC2WindowsMessageDeliveryService.GetMessages', body));
    return this.transport.requestAbandoned(signed.headers as Record<string, string>, body, 30_000);
  }

  /** SendReply with `payload` as it is (any text), answered as it is. */
  async sendReplyText(messageId: string, payload: string): Promise<AgentReply> {
    return this.call('ec2messages', 'EC2WindowsMessageDeliveryService.SendReply', { MessageId: messageId, ReplyId: randomUUID(), Payload: payload });
  }

  /** AcknowledgeMessage, answered as it is. */
  async acknowledge(messageId: string): Promise<AgentReply> {
    return this.call('ec2messages', 'EC2WindowsMessageDeliveryService.AcknowledgeMessage', { MessageId: messageId });
  }

  /** As the agent handles a sendCommand message: acknowledge it, say InProgress, then say how it ended. */
  async runAndReply(message: DeliveredMessage, plugin: string, output: string): Promise<void> {
    ok(await this.call('ec2messages', 'EC2WindowsMessageDeliveryService.AcknowledgeMessage', { MessageId: message.MessageId }), 'AcknowledgeMessage');
    for (const payload of [inProgressReply(new Date()), successReply(plugin, output, new Date())]) {
      ok(await this.call('ec2messages', 'EC2WindowsMessageDeliveryService.SendReply', {
        MessageId: message.MessageId, ReplyId: randomUUID(), Payload: JSON.stringify(payload),
      }), 'SendReply');
    }
  }
}

/** Why a delivered message is not the command this agent expected, or undefined when it is. */
export function messageProblem(message: DeliveredMessage, nodeId: string, commandId: string): string | undefined {
  if (message.Destination !== nodeId) return `message for ${message.Destination} delivered to ${nodeId}`;
  if (createHash('sha256').update(message.Payload).digest('hex') !== message.PayloadDigest) return `PayloadDigest of ${message.MessageId} does not match its Payload`;
  if (!message.Topic.startsWith('aws.ssm.sendCommand.')) return `topic ${message.Topic}`;
  const payload = JSON.parse(message.Payload) as { CommandId?: string; DocumentContent?: unknown };
  if (payload.CommandId !== commandId) return `message of command ${payload.CommandId}, expected ${commandId}`;
  if (!payload.DocumentContent) return `message ${message.MessageId} carries no DocumentContent`;
  return undefined;
}
