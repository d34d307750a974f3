// The token CreateControlChannel / CreateDataChannel answers and the agent sends back in the WebSocket's
// first frame. The WebSocket upgrade is itself signed with the node's credentials; the token adds that the
// channel was asked for by this node, for this channel, a moment ago. It is stateless so that the POST and
// the WebSocket may reach different replicas: an HMAC under the secret of the credential the POST was signed
// with, which every replica finds in the store. Pure but for the random nonce.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a token opens its channel (real time): the agent opens the socket right after the POST. */
export const CHANNEL_TOKEN_LIFETIME_MS = 5 * 60_000;

export interface ChannelTokenClaims {
  /** The access key id the POST was signed with: whose secret keys the HMAC. */
  accessKeyId: string;
  nodeId: string;
  /** `control` or the session id of a data channel. */
  channel: string;
  expiresAt: number;
}

export function issueChannelToken(claims: Omit<ChannelTokenClaims, 'expiresAt'>, secret: string, now: number): string {
  const body = Buffer.from(JSON.stringify({ k: claims.accessKeyId, n: claims.nodeId, c: claims.channel, e: now + CHANNEL_TOKEN_LIFETIME_MS, r: randomBytes(12).toString('base64url') })).toString('base64url');
  return `${body}.${mac(body, secret)}`;
}

/** The claims a token makes, unchecked (to find whose secret verifies it); undefined when it is not one of ours. */
export function readChannelToken(token: string): ChannelTokenClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  try {
    const o = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof o.k !== 'string' || typeof o.n !== 'string' || typeof o.c !== 'string' || typeof o.e !== 'number') return undefined;
    return { accessKeyId: o.k, nodeId: o.n, channel: o.c, expiresAt: o.e };
  } catch {
    return undefined;
  }
}

/** Whether `token` was issued under `secret` and is still valid at `now`. */
export function channelTokenValid(token: string, secret: string, now: number): boolean {
  const claims = readChannelToken(token);
  if (!claims || claims.expiresAt < now) return false;
  const [body, signature] = token.split('.');
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
