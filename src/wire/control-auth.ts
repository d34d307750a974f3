// Authentication of the control routes (/_mw/*) when --credentials is given: a request is either signed
// with SigV4 by a configured key, exactly as an API call, or carries `Authorization: Bearer <token>`,
// where the token is derived from a configured key (controlToken) so a browser or curl can use it
// without signing. The caller's account is the key's.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { ControlAuthenticate, ControlCaller } from './control.ts';
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

/** The keys, and which of them are the operator's (CredentialsFile.isOperator). */
export interface OperatorKeys extends CredentialLookup {
  isOperator?(accessKeyId: string): boolean;
}

/** The access key id a bearer token names (the part before its last dot). */
function bearerKeyId(token: string): string {
  return token.slice(0, token.lastIndexOf('.'));
}

export function controlAuthenticator(keys: OperatorKeys, verifier: SignatureVerifier): ControlAuthenticate {
  const caller = (scope: Scope, accessKeyId: string): ControlCaller => ({ ...scope, operator: keys.isOperator?.(accessKeyId) === true });
  return async (request) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const token = authorization.slice('Bearer '.length).trim();
      return caller(await fromBearer(keys, token, request.query.get('region')), bearerKeyId(token));
    }
    // The console's cookie, for the page's own calls: a GET (its event stream) or a request with the
    // x-mw-console header, which another site's form cannot send (a cross-origin custom header needs
    // a CORS preflight this service never grants), so the cookie cannot be used against the user.
    const cookieToken = authorization ? undefined : cookieValue(request.headers.cookie, CONSOLE_TOKEN_COOKIE);
    if (cookieToken && (request.method === 'GET' || request.headers['x-mw-console'] !== undefined)) {
      return caller(await fromBearer(keys, cookieToken, request.query.get('region')), bearerKeyId(cookieToken));
    }
    const { account, region, accessKeyId } = await verifier.verify({ method: request.method, url: request.url, headers: request.headers, body: request.body });
    return caller({ account, region }, accessKeyId);
  };
}

/** The scope of a bearer token, or UnrecognizedClientException (the console's sign-in uses it too). */
export async function fromBearer(keys: CredentialLookup, token: string, region: string | null): Promise<Scope> {
  const key = await keys.find(bearerKeyId(token));
  const expected = key ? Buffer.from(controlToken(key)) : undefined;
  const given = Buffer.from(token);
  if (!expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ServiceError('UnrecognizedClientException', 'The bearer token is not the token of a configured key.');
  }
  return { account: key!.accountId, region: region ?? DEFAULT_REGION };
}
