// Opaque, signed page tokens. A token names the listing it belongs to (operation, scope, parent id) and
// the keyset position to continue after, so a page costs the same wherever it is, and a token that was
// altered, forged or taken from another listing is refused instead of silently returning a wrong page.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationException } from '../domain/errors.ts';

export class PageTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'hex');
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }

  /** Encodes `position` for the listing identified by `listing`. */
  encode(listing: string, position: unknown): string {
    const body = Buffer.from(JSON.stringify({ l: listing, p: position }));
    return Buffer.concat([this.sign(body.toString('latin1')), body]).toString('base64');
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
