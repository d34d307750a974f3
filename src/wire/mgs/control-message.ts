// The frame around a control-channel JSON payload (agent_job, agent_job_ack, agent_job_reply,
// agent_job_reply_ack, channel_closed), as the agent frames its own acks and replies (mgsinteractor.go,
// utils.go): schema 1, sequence 0, no flags, no payload type. Pure.

import type { AgentMessage } from './agent-message.ts';

/** A control message holding `payloadJson`; the id (a fresh UUID) and the time (the clock's now) are the caller's. */
export function controlMessage(messageType: string, payloadJson: string, messageId: string, createdDate: number): AgentMessage {
  return {
    messageType, schemaVersion: 1, createdDate, sequenceNumber: 0, flags: 0, messageId, payloadType: 0,
    payload: Buffer.from(payloadJson, 'utf8'),
  };
}
