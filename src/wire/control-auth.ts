// Authentication of the control routes (/_mw/*) when --credentials is given: a request is either signed
// with SigV4 by a configured key, exactly as an API call, or carries `Authorization: Bearer <token>`,
// where the token is derived from a configured key (controlToken) so a browser or curl can use it
// without signing. The caller's account is the key's.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { ControlAuthenticate } from './control.ts';
import { DEFAULT_REGION } from './scope.ts';
import type { Credential, CredentialLookup, SignatureVerifier } from './sigv4.ts';

const TOKEN_CONTEXT = 'mw-local control token v1';

/** The bearer token of a key: `<access key id>.<HMAC-SHA256 of a fixed context under the secret, hex>`. */
export function controlToken(key: Pick<Credential, 'accessKeyId' | 'secretAccessKey'>): string {
  return `${key.accessKeyId}.${createHmac('sha256', key.secretAccessKey).update(TOKEN_CONTEXT).digest('hex')}`;
}

/** The cookie the web console keeps its token in (console/console-handler.ts sets it). */
export const CONSOLE_TOKEN_COOKIE = 'mw_console_token';

/** A cookie's value from a Cookie header; undefined when absent or not valid percent-encoding. */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  for (const part of (text ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function controlAuthenticator(keys: CredentialLookup, verifier: SignatureVerifier): ControlAuthenticate {
  return async (request) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) return fromBearer(keys, authorization.slice('Bearer '.length).trim(), request.query.get('region'));
    // The console's cookie, for the page's own calls: a GET (its event stream) or a request with the
    // x-mw-console header, which another site's form cannot send (a cross-origin custom header needs
    // a CORS preflight this service never grants), so the cookie cannot be used against the user.
    const cookieToken = authorization ? undefined : cookieValue(request.headers.cookie, CONSOLE_TOKEN_COOKIE);
    if (cookieToken && (request.method === 'GET' || request.headers['x-mw-console'] !== undefined)) {
      return fromBearer(keys, cookieToken, request.query.get('region'));
    }
    const { account, region } = await verifier.verify({ method: request.method, url: request.url, headers: request.headers, body: request.body });
    return { account, region };
  };
}

/** The scope of a bearer token, or UnrecognizedClientException (the console's sign-in uses it too). */
export async function fromBearer(keys: CredentialLookup, token: string, region: string | null): Promise<Scope> {
  const accessKeyId = token.slice(0, token.lastIndexOf('.'));
  const key = await keys.find(accessKeyId);
  const expected = key ? Buffer.from(controlToken(key)) : undefined;
  const given = Buffer.from(token);
  if (!expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ServiceError('UnrecognizedClientException', 'The bearer token is not the token of a configured key.');
  }
  return { account: key!.accountId, region: region ?? DEFAULT_REGION };
}
