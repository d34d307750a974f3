// The message delivery service's (ec2messages) own format, which the agent's SDK and runcommand contracts
// define (github.com/aws/amazon-ssm-agent: extra/aws-sdk-go/service/ssmmds, agent/runcommand/testdata):
// message ids and topics, the SendCommandPayload and cancel payload a delivery becomes, and a SendReply's
// payload checked and turned into the invocation's lifecycle event (domain/command-invocation.ts). The
// delivery use cases (service/agent-delivery.ts) know none of this; agent-api.ts dispatches the calls.

import { createHash, randomUUID } from 'node:crypto';
import { type AgentReply, agentReply, pluginStatusOf } from '../domain/command-invocation.ts';
import type { PluginResult } from '../domain/command-plugins.ts';
import type { Command } from '../domain/commands.ts';
import { findDocument } from '../domain/documents.ts';
import { ServiceError, ValidationException } from '../domain/errors.ts';
import type { Delivery, MessageRef } from '../service/agent-delivery.ts';

export interface AgentMessage {
  CreatedDate: string;
  Destination: string;
  MessageId: string;
  Payload: string;
  PayloadDigest: string;
  Topic: string;
}

/** The agent's own: a taken message stays invisible this long unless the poll asks otherwise. */
export const DEFAULT_VISIBILITY_SECONDS = 10;

/** `aws.ssm.<commandId>.<instanceId>`: the agent reads the command id from the second-to-last part. */
export function messageIdOf(commandId: string, instanceId: string): string {
  return `aws.ssm.${commandId}.${instanceId}`;
}

/** The command and node a message id names; a cancel message's id names a command no one has (nothing happens). */
export function messageRef(messageId: string): MessageRef {
  const m = /^aws\.ssm\.(.+)\.([^.]+)$/.exec(messageId);
  if (!m) throw new ServiceError('InvalidMessageIdException', `MessageId ${messageId} is not a message of this service.`);
  return { commandId: m[1], instanceId: m[2] };
}

function topic(kind: 'sendCommand' | 'cancelCommand', region: string): string {
  return `aws.ssm.${kind}.${region.replace(/-/g, '.')}.1`;
}

function message(destination: string, messageId: string, kind: 'sendCommand' | 'cancelCommand', region: string, payload: Payload, createdAt: number): AgentMessage {
  return {
    CreatedDate: new Date(createdAt).toISOString(),
    Destination: destination,
    MessageId: messageId,
    Payload: payload.text,
    PayloadDigest: payload.digest,
    Topic: topic(kind, region),
  };
}

interface Payload {
  text: string;
  digest: string;
}

function payloadOf(payload: unknown): Payload {
  const text = JSON.stringify(payload);
  return { text, digest: createHash('sha256').update(text).digest('hex') };
}

/**
 * The last commands' SendCommandPayload, kept: it names no node, so a command to a fleet is one payload
 * for every node's message, and each poll or channel that takes one need not build and hash it again.
 * Keyed by everything the payload is made of, not the command id alone (ids are only unique in a store).
 */
const sendCommandPayloads = new Map<string, Payload>();
const SEND_COMMAND_PAYLOADS_KEPT = 32;

function sendCommandPayload(command: Command): Payload {
  const { id: commandId, documentName, parameters, outputS3BucketName: bucket, outputS3KeyPrefix: prefix } = command;
  const key = JSON.stringify([commandId, documentName, command.documentContent ?? null, parameters, bucket ?? '', prefix ?? '']);
  let payload = sendCommandPayloads.get(key);
  if (!payload) {
    const content = documentBody(command);
    payload = payloadOf({
      Parameters: typedParameters(content, parameters),
      DocumentContent: content,
      CommandId: commandId,
      DocumentName: documentName,
      OutputS3KeyPrefix: prefix ?? '',
      OutputS3BucketName: bucket ?? '',
      CloudWatchLogGroupName: '',
      CloudWatchOutputEnabled: 'false',
    });
    if (sendCommandPayloads.size >= SEND_COMMAND_PAYLOADS_KEPT) sendCommandPayloads.delete(sendCommandPayloads.keys().next().value!);
    sendCommandPayloads.set(key, payload);
  }
  return payload;
}

/** A delivery as the agent's message, created at `createdAt` (real time: the agent reads it with its own clock). */
export function agentMessage(delivery: Delivery, region: string, createdAt: number): AgentMessage {
  const { instanceId } = delivery;
  if (delivery.kind === 'cancel') {
    return message(instanceId, `aws.ssm.${randomUUID()}.${instanceId}`, 'cancelCommand', region, payloadOf({ CancelMessageId: messageIdOf(delivery.commandId, instanceId) }), createdAt);
  }
  return message(instanceId, messageIdOf(delivery.command.id, instanceId), 'sendCommand', region, sendCommandPayload(delivery.command), createdAt);
}

/** The document the command runs, as the agent parses it: the catalogue's, or the account's kept with the command. */
function documentBody(command: Command): Record<string, unknown> {
  const text = command.documentContent ?? findDocument(command.documentName).content;
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The parameter values as the agent substitutes them: each as its declared type (String as a string,
 * StringList a list, Integer a number, Boolean a boolean, StringMap an object, MapList a list of objects;
 * the API carries them all as lists of strings, maps and map lists as JSON text).
 */
export function typedParameters(content: Record<string, unknown>, parameters: Record<string, string[]>): Record<string, unknown> {
  const declared = isObject(content.parameters) ? content.parameters : {};
  const json = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return Object.fromEntries(Object.entries(parameters).map(([name, values]) => {
    const type = isObject(declared[name]) ? declared[name].type : 'String';
    switch (type) {
      case 'StringList':
        return [name, values];
      case 'Integer':
        return [name, Number(values[0] ?? 0)];
      case 'Boolean':
        return [name, values[0] === 'true'];
      case 'StringMap':
        return [name, json(values[0] ?? '{}')];
      case 'MapList':
        return [name, values.length === 1 && values[0].trimStart().startsWith('[') ? json(values[0]) : values.map(json)];
      default:
        return [name, values[0] ?? ''];
    }
  }));
}

export function invalid(value: unknown, member: string, constraint: string): ValidationException {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ValidationException(`1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

const PLUGIN_TEXT_MEMBERS = ['status', 'name', 'output', 'standardOutput', 'standardError', 'startDateTime', 'endDateTime', 'outputS3BucketName', 'outputS3KeyPrefix', 'stepName', 'standardOutputUrl', 'standardErrorUrl'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An exit code as the agent sends it (Go `int`): an int32, as the API's ResponseCode is. A Windows exit
 * code is a uint32 (an NTSTATUS such as 0xC0000005): 2^31 to 2^32 - 1 are kept as the int32 of the same
 * bits, as Windows tools show them (-1073741819). Anything else no agent sends.
 */
function exitCode(value: unknown, member: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 32) {
    throw invalid(value, member, 'Member must be a 32-bit integer exit code');
  }
  return value | 0;
}

/** An agent-side time (ISO-8601), or undefined for none or one the agent left zero. */
function agentTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
}

/**
 * One plugin's status in a reply, keyed by its plugin id (the step name; a 1.2 document's plugin name). The
 * agent's `output` is kept when it says what the streams do not (a skipped step's reason, an error).
 */
function pluginResult(name: string, plugin: Record<string, unknown>, at: string): PluginResult {
  const stdout = (plugin.standardOutput as string | undefined) ?? '';
  const stderr = (plugin.standardError as string | undefined) ?? '';
  const output = (plugin.output as string | undefined) ?? '';
  const startedAt = agentTime(plugin.startDateTime);
  const endedAt = agentTime(plugin.endDateTime);
  return {
    name,
    status: pluginStatusOf(typeof plugin.status === 'string' ? plugin.status : ''),
    responseCode: plugin.code === undefined ? -1 : exitCode(plugin.code, `${at}.code`),
    stdout,
    stderr,
    ...(output !== '' && stdout === '' && stderr === '' ? { output } : {}),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(endedAt === undefined ? {} : { endedAt }),
  };
}

/**
 * SendReply's Payload, checked whole as the agent's contract defines it (agent/runcommand/contracts
 * SendReplyPayload, agent/contracts PluginRuntimeStatus: a JSON object with a string documentStatus and a
 * map of plugin statuses, null while none ended, each with an integer exit code and string texts), as the
 * invocation's event: still running, rebooting, or how it ended (its one plugin's exit code and output).
 */
export function replyOf(text: string): AgentReply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('(not JSON)', 'payload', 'Member must be a JSON SendReplyPayload');
  }
  if (!isObject(value)) throw invalid(text.slice(0, 100), 'payload', 'Member must be a JSON SendReplyPayload object');
  const { documentStatus, documentTraceOutput, additionalInfo, runtimeStatus } = value;
  if (typeof documentStatus !== 'string') throw invalid(documentStatus ?? null, 'payload.documentStatus', 'Member must be a string');
  if (documentTraceOutput !== undefined && typeof documentTraceOutput !== 'string') throw invalid(documentTraceOutput, 'payload.documentTraceOutput', 'Member must be a string');
  if (additionalInfo !== undefined && !isObject(additionalInfo)) throw invalid(additionalInfo, 'payload.additionalInfo', 'Member must be an object');
  if (runtimeStatus !== undefined && runtimeStatus !== null && !isObject(runtimeStatus)) throw invalid(runtimeStatus, 'payload.runtimeStatus', 'Member must be a map of plugin statuses');
  const plugins: PluginResult[] = [];
  for (const [name, plugin] of Object.entries(runtimeStatus ?? {})) {
    if (plugin === null) continue; // a nil entry of the agent's map
    const at = `payload.runtimeStatus.${name}`;
    if (!isObject(plugin)) throw invalid(plugin, at, 'Member must be a plugin status object');
    for (const member of PLUGIN_TEXT_MEMBERS) {
      if (plugin[member] !== undefined && typeof plugin[member] !== 'string') throw invalid(plugin[member], `${at}.${member}`, 'Member must be a string');
    }
    plugins.push(pluginResult(name, plugin, at));
  }
  return agentReply(documentStatus, plugins);
}
