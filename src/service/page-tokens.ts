// Opaque, signed page tokens. A token names the listing it belongs to (operation, scope, parent id) and
// the keyset position to continue after, so a page costs the same wherever it is, and a token that was
// altered, forged or taken from another listing is refused instead of silently returning a wrong page.

import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { ValidationException } from '../domain/errors.ts';

export class PageTokens {
  // A KeyObject: createHmac then skips importing the raw key on every call.
  private readonly key: KeyObject;
  // The tokens handed out last: the same page asked for again gets the same token without a new HMAC.
  private readonly recent = new Map<string, string>();

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'hex'));
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }

  /** Encodes `position` for the listing identified by `listing`. */
  encode(listing: string, position: unknown): string {
    const text = JSON.stringify({ l: listing, p: position });
    const known = this.recent.get(text);
    if (known) return known;
    const body = Buffer.from(text);
    const token = Buffer.concat([this.sign(body.toString('latin1')), body]).toString('base64');
    if (this.recent.size >= 1_000) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(text, token);
    return token;
  }

  /** Decodes a token previously made by encode() for the same listing, or throws ValidationException. */
  decode(listing: string, token: string): unknown {
    const raw = Buffer.from(token, 'base64');
    if (raw.length > 16 && raw.toString('base64') === token) {
      const signature = raw.subarray(0, 16);
      const body = raw.subarray(16).toString('latin1');
      if (timingSafeEqual(signature, this.sign(body))) {
        const parsed = JSON.parse(body) as { l: string; p: unknown };
        if (parsed.l === listing) return parsed.p;
      }
    }
    throw new ValidationException('The specified NextToken is not valid.');
  }
}
