// The ssmmessages agent-message frame (src/wire/mgs/agent-message.ts) and the acknowledge message
// (src/wire/mgs/acknowledge.ts), against a frame laid out by hand from agentmessage.go's constants and the
// values of the agent's own agentmessage_test.go (messageId, createdDate, payload "payload").

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { acknowledgeMessage, acknowledgementOf, readAcknowledgement } from '../../src/wire/mgs/acknowledge.ts';
import {
  type AgentMessage, AgentMessageError, type AgentMessageRefusal, decodeAgentMessage, encodeAgentMessage, Flag,
  FRAME_PREFIX_LENGTH, HEADER_LENGTH, MessageType, PayloadType,
} from '../../src/wire/mgs/agent-message.ts';

const MESSAGE_ID = 'dd01e56b-ff48-483e-a508-b5f073f31b16';
const CREATED = 1503434274948;

const sample: AgentMessage = {
  messageType: MessageType.InputStreamData,
  schemaVersion: 1,
  createdDate: CREATED,
  sequenceNumber: 1,
  flags: Flag.Fin,
  messageId: MESSAGE_ID,
  payloadType: PayloadType.Output,
  payload: Buffer.from('payload'),
};

// Field by field, as agentmessage.go lays them out; every value written by hand, none computed here.
const HAND_BUILT = Buffer.from([
  '00000074', // HeaderLength 116
  Buffer.from('input_stream_data' + ' '.repeat(15)).toString('hex'), // MessageType, space-padded to 32
  '00000001', // SchemaVersion
  '0000015e0baa7884', // CreatedDate 1503434274948
  '0000000000000001', // SequenceNumber
  '0000000000000002', // Flags (FIN)
  'a508b5f073f31b16', 'dd01e56bff48483e', // MessageId: least significant half first
  '239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5', // SHA-256("payload") (sha256sum)
  '00000001', // PayloadType Output
  '00000007', // PayloadLength
  '7061796c6f6164', // "payload"
].join(''), 'hex');

function refusal(frame: Buffer | (() => unknown)): AgentMessageRefusal {
  try {
    if (typeof frame === 'function') frame();
    else decodeAgentMessage(frame);
  } catch (error) {
    assert.ok(error instanceof AgentMessageError, `not an AgentMessageError: ${String(error)}`);
    return error.reason;
  }
  assert.fail('expected a refusal, the frame was accepted');
}

/** The sample's frame with `bytes` written at `offset`. */
function patched(offset: number, bytes: Buffer): Buffer {
  const frame = encodeAgentMessage(sample);
  bytes.copy(frame, offset);
  return frame;
}

describe('agent message frame', () => {
  test('encodes byte for byte as the agent lays it out', () => {
    assert.equal(HAND_BUILT.length, 127);
    assert.equal(encodeAgentMessage(sample).toString('hex'), HAND_BUILT.toString('hex'));
  });

  test('decodes the hand-built frame', () => {
    assert.deepEqual(decodeAgentMessage(HAND_BUILT), sample);
  });

  test('fields sit at the offsets of agentmessage.go', () => {
    const frame = encodeAgentMessage(sample);
    assert.equal(HEADER_LENGTH, 116);
    assert.equal(FRAME_PREFIX_LENGTH, 120);
    assert.equal(frame.readUInt32BE(0), 116);
    assert.equal(frame.subarray(4, 36).toString(), 'input_stream_data               ');
    assert.equal(frame.readUInt32BE(36), 1);
    assert.equal(frame.readBigUInt64BE(40), BigInt(CREATED));
    assert.equal(frame.readBigInt64BE(48), 1n);
    assert.equal(frame.readBigUInt64BE(56), 2n);
    assert.equal(frame.subarray(80, 112).toString('hex'), createHash('sha256').update('payload').digest('hex'));
    assert.equal(frame.readUInt32BE(112), PayloadType.Output);
    assert.equal(frame.readUInt32BE(116), 7);
    assert.equal(frame.subarray(120).toString(), 'payload');
  });

  test('the message id is written least significant half first, and read back the same way', () => {
    const id = '00112233-4455-6677-8899-aabbccddeeff';
    const frame = encodeAgentMessage({ ...sample, messageId: id });
    assert.equal(frame.subarray(64, 80).toString('hex'), '8899aabbccddeeff0011223344556677');
    assert.equal(decodeAgentMessage(frame).messageId, id);
    // Upper case in, the agent's lower case out.
    assert.equal(decodeAgentMessage(encodeAgentMessage({ ...sample, messageId: id.toUpperCase() })).messageId, id);
  });

  test('round trips every field, a 32-byte type and extreme values', () => {
    const message: AgentMessage = {
      messageType: 'x'.repeat(32),
      schemaVersion: 0xffff_ffff,
      createdDate: Number.MAX_SAFE_INTEGER,
      sequenceNumber: -5,
      flags: Flag.Syn | Flag.Fin,
      messageId: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
      payloadType: PayloadType.ExitCode,
      payload: Buffer.from([0, 1, 2, 255]),
    };
    assert.deepEqual(decodeAgentMessage(encodeAgentMessage(message)), message);
  });

  test('round trips an empty payload: 120 bytes, with the digest of nothing', () => {
    const empty = { ...sample, messageType: MessageType.StartPublication, payloadType: 0, payload: Buffer.alloc(0) };
    const frame = encodeAgentMessage(empty);
    assert.equal(frame.length, 120);
    assert.equal(frame.subarray(80, 112).toString('hex'), createHash('sha256').digest('hex'));
    assert.deepEqual(decodeAgentMessage(frame), empty);
  });

  test('round trips a large payload', () => {
    const payload = Buffer.alloc(1_000_003);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const frame = encodeAgentMessage({ ...sample, payload });
    assert.equal(frame.readUInt32BE(116), 1_000_003);
    assert.ok(decodeAgentMessage(frame).payload.equals(payload));
  });

  test('reads a type padded with NULs, as the agent trims them', () => {
    const frame = patched(4, Buffer.concat([Buffer.from('acknowledge'), Buffer.alloc(21)]));
    assert.equal(decodeAgentMessage(frame).messageType, 'acknowledge');
  });

  test('decodes from a Uint8Array view into a larger buffer, and copies the payload out', () => {
    const frame = encodeAgentMessage(sample);
    const big = new Uint8Array(frame.length + 10);
    big.set(frame, 5);
    const decoded = decodeAgentMessage(big.subarray(5, 5 + frame.length));
    assert.deepEqual(decoded, sample);
    big.fill(0);
    assert.equal(decoded.payload.toString(), 'payload');
  });
});

describe('frames refused on decode', () => {
  test('shorter than the header', () => {
    assert.equal(refusal(Buffer.alloc(0)), 'truncated');
    assert.equal(refusal(HAND_BUILT.subarray(0, 119)), 'truncated');
  });

  test('a header length of 0 or other than 116', () => {
    assert.equal(refusal(patched(0, Buffer.from('00000000', 'hex'))), 'header-length');
    assert.equal(refusal(patched(0, Buffer.from('00000014', 'hex'))), 'header-length');
    assert.throws(() => decodeAgentMessage(patched(0, Buffer.from('00000000', 'hex'))), /^AgentMessageError: HeaderLength cannot be zero$/);
  });

  test('a message type of spaces or NULs only', () => {
    assert.equal(refusal(patched(4, Buffer.alloc(32, ' '))), 'message-type-missing');
    assert.equal(refusal(patched(4, Buffer.alloc(32))), 'message-type-missing');
  });

  test('a created date of 0', () => {
    assert.equal(refusal(patched(40, Buffer.alloc(8))), 'created-date-missing');
  });

  test('a payload length that is not the bytes that follow', () => {
    assert.equal(refusal(patched(116, Buffer.from('00000008', 'hex'))), 'payload-length');
    assert.equal(refusal(patched(116, Buffer.from('00000006', 'hex'))), 'payload-length');
    assert.equal(refusal(Buffer.concat([HAND_BUILT, Buffer.from('!')])), 'payload-length');
  });

  test('a digest that is not the payload\'s ("payload Hash is not valid", the plugin\'s words)', () => {
    const frame = encodeAgentMessage(sample);
    frame[frame.length - 1] ^= 1;
    assert.equal(refusal(frame), 'payload-digest');
    assert.throws(() => decodeAgentMessage(frame), /payload Hash is not valid/);
  });

  test('an empty payload\'s digest is not checked, as the plugin does not', () => {
    const frame = encodeAgentMessage({ ...sample, payload: Buffer.alloc(0) });
    frame.fill(0, 80, 112);
    assert.equal(decodeAgentMessage(frame).payload.length, 0);
  });

  test('a 64-bit value beyond a safe integer', () => {
    assert.equal(refusal(patched(48, Buffer.from('7fffffffffffffff', 'hex'))), 'out-of-range');
    assert.equal(refusal(patched(56, Buffer.from('ffffffffffffffff', 'hex'))), 'out-of-range');
  });
});

describe('messages refused on encode', () => {
  test('a message type longer than 32 bytes, or empty', () => {
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, messageType: 'x'.repeat(33) })), 'message-type-too-long');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, messageType: 'é'.repeat(17) })), 'message-type-too-long');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, messageType: '' })), 'message-type-missing');
  });

  test('a created date of 0, a message id that is not a UUID, numbers out of range', () => {
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, createdDate: 0 })), 'created-date-missing');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, messageId: 'aws.ssm.x.mi-1' })), 'message-id');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, schemaVersion: 2 ** 32 })), 'out-of-range');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, payloadType: -1 })), 'out-of-range');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, flags: 1.5 })), 'out-of-range');
    assert.equal(refusal(() => encodeAgentMessage({ ...sample, createdDate: -1 })), 'out-of-range');
  });
});

describe('acknowledge message', () => {
  const ACK_ID = '6f1c0c39-4b4f-4c52-9f0e-0a6b3d7e2c11';

  test('acknowledges a stream message as the agent does: its type, id and sequence, framed SYN|FIN at sequence 0', () => {
    const ack = acknowledgeMessage(acknowledgementOf(sample), ACK_ID, CREATED + 5);
    assert.equal(ack.payload.toString(), '{"AcknowledgedMessageType":"input_stream_data","AcknowledgedMessageId":"dd01e56b-ff48-483e-a508-b5f073f31b16","AcknowledgedMessageSequenceNumber":1,"IsSequentialMessage":true}');
    const frame = encodeAgentMessage(ack);
    assert.equal(frame.subarray(4, 36).toString().trimEnd(), 'acknowledge');
    assert.equal(frame.readUInt32BE(36), 1);
    assert.equal(frame.readBigInt64BE(48), 0n);
    assert.equal(frame.readBigUInt64BE(56), 3n);
    assert.equal(frame.readUInt32BE(112), 0);
  });

  test('round trips through the frame', () => {
    const ack = acknowledgementOf({ ...sample, messageType: MessageType.OutputStreamData, sequenceNumber: 42 });
    const decoded = decodeAgentMessage(encodeAgentMessage(acknowledgeMessage(ack, ACK_ID, CREATED)));
    assert.equal(decoded.messageId, ACK_ID);
    assert.deepEqual(readAcknowledgement(decoded), { messageType: 'output_stream_data', messageId: MESSAGE_ID, sequenceNumber: 42, isSequentialMessage: true });
  });

  test('absent members read as Go zero values, as the plugin\'s own test payload has only two', () => {
    const payload = Buffer.from(`{"AcknowledgedMessageType": "acknowledge", "AcknowledgedMessageId":"${MESSAGE_ID}"}`);
    assert.deepEqual(readAcknowledgement({ ...sample, messageType: MessageType.Acknowledge, payload }),
      { messageType: 'acknowledge', messageId: MESSAGE_ID, sequenceNumber: 0, isSequentialMessage: false });
  });

  test('refuses another message type, a payload that is not a JSON object, a member of the wrong type', () => {
    assert.throws(() => readAcknowledgement(sample), /^AgentMessageError: AgentMessage is not of type AcknowledgeMessage. Found message type: input_stream_data$/);
    const ack = (text: string) => ({ ...sample, messageType: MessageType.Acknowledge, payload: Buffer.from(text) });
    for (const text of ['payload', '[1]', 'null', '{"AcknowledgedMessageSequenceNumber":"1"}', '{"IsSequentialMessage":1}', '{"AcknowledgedMessageSequenceNumber":1.5}']) {
      assert.equal(refusal(() => readAcknowledgement(ack(text))), 'acknowledge-content', text);
    }
  });
});
