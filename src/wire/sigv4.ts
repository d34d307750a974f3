// Verifies AWS Signature Version 4 on incoming requests (the Authorization header or a presigned query),
// as AWS does before it looks at the call: the canonical request and the string to sign are computed by
// @smithy/signature-v4 (the signer the AWS SDK for JavaScript uses), so both sides agree on every byte;
// only the comparison is ours. Errors carry AWS's exception names and messages. The caller's account is
// the one its access key belongs to.
//
// What binds a signature to the request (issue 28): the payload hash in the canonical request is always
// the SHA-256 of the body received, never a client's `x-amz-content-sha256` (that header only says what
// the client hashed; UNSIGNED-PAYLOAD is S3's and not for these JSON APIs), so a swapped body fails the
// comparison; `host` must be signed, every header SignedHeaders names must be present, and X-Amz-Target
// (which operation runs) must be signed when sent; a presigned X-Amz-Expires is
// an integer of at most 604800 seconds, checked against the real clock.

import { constants, createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { Clock } from '../service/ports.ts';

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  sessionToken?: string;
  /**
   * A registered agent proving itself with its RSA key instead of a secret (RequestManagedInstanceRoleToken):
   * the SigV4 string to sign, signed RSA-PSS with SHA-256, base64 in the Signature field.
   */
  publicKey?: KeyObject;
  /** Who the key belongs to within its account (a registered node's id), told back by verify. */
  subject?: string;
  /** A key of the credentials file marked `"operator": true`: it may act on the whole service. */
  operator?: boolean;
}

/** Where the verifier finds a key (reloadable: the file may change on SIGHUP). */
export interface CredentialLookup {
  find(accessKeyId: string): Credential | undefined | Promise<Credential | undefined>;
}

export interface SignedRequest {
  method: string;
  /** Path and query as received, e.g. `/` or `/?X-Amz-Signature=...`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** How far a request's time may be from ours (SSM answers "... - 5 min." when it is further). */
const SKEW_MS = 5 * 60_000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const DEFAULT_SERVICE = 'ssm';
const TERMINATOR = 'aws4_request';

class AuthError extends ServiceError {}

const missingToken = () => new AuthError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
const unknownKey = () => new AuthError('UnrecognizedClientException', 'The security token included in the request is invalid.');
/** AWS's wording (e.g. aws/aws-sdk-php#2469); the exception is the one for a signature missing a required part. */
const hostNotSigned = () => new AuthError('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
/** S3's wording for the same rule (its AccessDenied, "HeadersNotSigned"); the exception is ours, as above. */
const notSigned = (names: string[]) => new AuthError('IncompleteSignatureException', `There were headers present in the request which were not signed. HeadersNotSigned: ${names.join(', ')}`);
/** The longest a presigned request may be valid for, in seconds (a week, as AWS allows). */
const MAX_EXPIRES_SECONDS = 604_800;
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** A node:crypto SHA-256 in the shape @smithy/signature-v4 asks for (HMAC when given a secret). */
export class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined ? undefined
      : typeof secret === 'string' ? secret
        : secret instanceof ArrayBuffer ? new Uint8Array(secret)
          : new Uint8Array((secret as ArrayBufferView).buffer, (secret as ArrayBufferView).byteOffset, (secret as ArrayBufferView).byteLength);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** The signer, opened up for its canonical request and string to sign (protected in the library). */
interface CanonicalForm {
  canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string;
  stringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string>;
}

type SignerModule = typeof import('@smithy/signature-v4');

interface Signer extends Pick<SignerModule, 'getCanonicalHeaders' | 'getSigningKey'> {
  canonicalForm: CanonicalForm;
}

let signer: Promise<Signer> | undefined;

/**
 * @smithy/signature-v4, loaded by the first signed request: with the parts of @smithy/core it brings, it
 * costs a tenth of the service's start, and a service nobody signs requests to never needs it.
 */
function loadSigner(): Promise<Signer> {
  return signer ??= import('@smithy/signature-v4').then(({ SignatureV4, getCanonicalHeaders, getSigningKey }) => {
    class Opened extends SignatureV4 implements CanonicalForm {
      constructor() {
        super({ service: DEFAULT_SERVICE, region: 'us-east-1', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Sha256, applyChecksum: false });
      }
      canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
        return this.createCanonicalRequest(request, headers, payloadHash);
      }
      stringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string> {
        return this.createStringToSign(longDate, scope, canonicalRequest, ALGORITHM);
      }
    }
    return { canonicalForm: new Opened(), getCanonicalHeaders, getSigningKey };
  });
}

interface SignatureParts {
  credential: string;
  signedHeaders: string;
  signature: string;
  longDate: string;
  /** Presigned: seconds the URL is valid for. */
  expiresSeconds?: number;
  securityToken?: string;
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  // Node's header object has a prototype: `constructor` must not be found as a header.
  const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20200224T233800Z` -> epoch ms, or NaN. */
function parseLongDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
}

function longDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function fromHeader(auth: string, headers: SignedRequest['headers']): SignatureParts {
  const params = new Map<string, string>();
  for (const part of auth.slice(ALGORITHM.length).split(/[,\s]+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  let problems = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(name)) problems += `Authorization header requires '${name}' parameter. `;
  }
  const amzDate = header(headers, 'x-amz-date');
  const date = header(headers, 'date');
  if (!amzDate && !date) problems += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (problems) throw new AuthError('IncompleteSignatureException', `${problems}Authorization=${auth}`);
  const longDate = amzDate ?? (Number.isNaN(Date.parse(date!)) ? date! : longDateOf(Date.parse(date!)));
  return {
    credential: params.get('Credential')!, signedHeaders: params.get('SignedHeaders')!, signature: params.get('Signature')!,
    longDate, securityToken: header(headers, 'x-amz-security-token'),
  };
}

function fromQuery(query: URLSearchParams): SignatureParts {
  let problems = '';
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date']) {
    if (!query.get(name)) problems += `AWS query-string parameters must include '${name}'. `;
  }
  if (problems) throw new AuthError('IncompleteSignatureException', `${problems}Re-examine the query-string parameters.`);
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) throw new AuthError('IncompleteSignatureException', `Unsupported AWS 'algorithm': '${query.get('X-Amz-Algorithm')}'`);
  const expires = query.get('X-Amz-Expires');
  return {
    credential: query.get('X-Amz-Credential')!, signedHeaders: query.get('X-Amz-SignedHeaders')!, signature: query.get('X-Amz-Signature')!,
    longDate: query.get('X-Amz-Date')!, expiresSeconds: expires === null ? undefined : expiresSeconds(expires),
    securityToken: query.get('X-Amz-Security-Token') ?? undefined,
  };
}

/**
 * A presigned request's X-Amz-Expires: whole seconds, 0..604800 (0 has expired when it arrives), in the
 * words AWS answers (S3's AuthorizationQueryParametersError texts; the exception is the one this service
 * uses for every malformed query-string signature).
 */
function expiresSeconds(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new AuthError('IncompleteSignatureException', 'X-Amz-Expires should be a number');
  const seconds = Number(text);
  if (seconds < 0) throw new AuthError('IncompleteSignatureException', 'X-Amz-Expires must be non-negative');
  if (seconds > MAX_EXPIRES_SECONDS) {
    throw new AuthError('IncompleteSignatureException', `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_EXPIRES_SECONDS} seconds`);
  }
  return seconds;
}

/** SHA-256 of the body as received, hex: the only payload hash a signature is checked against. */
function bodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * Headers that must be signed when they are sent: X-Amz-Target says which operation runs, so a signature
 * that leaves it out could be replayed as another operation. Not every `x-amz-*` header: the stock SSM
 * Agent's RSA signer adds X-Amz-Content-Sha256 after it has computed SignedHeaders (agent/ssm/rsaauth/
 * v4.go, bodyDigest), and AWS accepts that; the body is bound by its hash in any case (bodyHash).
 */
const MUST_BE_SIGNED = ['x-amz-target'];

/**
 * The headers of MUST_BE_SIGNED sent but not signed. In a presigned request the signer moves x-amz-*
 * headers into the (signed) query; the same header sent with the same value is covered by the signature too.
 */
function unsignedRequiredHeaders(headers: SignedRequest['headers'], signed: ReadonlySet<string>, query: URLSearchParams | undefined): string[] {
  const signedQuery = new Map<string, string>();
  for (const [name, value] of query ?? []) signedQuery.set(name.toLowerCase(), value);
  const unsigned: string[] = [];
  for (const name of MUST_BE_SIGNED) {
    const value = header(headers, name);
    if (value === undefined || signed.has(name)) continue;
    if (query && signedQuery.get(name) === value) continue;
    unsigned.push(name);
  }
  return unsigned;
}

/**
 * Derived signing keys (four HMACs each), as KeyObjects, for a day's credential scope. @smithy's own cache
 * holds 50: a fleet of 10,000 agents, each with its own issued secret, derived its key again on every
 * request (with the key imports, about a fifth of the service's CPU in a 10,000-poll profile). Keyed by the
 * secret too, so a changed secret never meets an old key; the oldest go first past MAX.
 */
class SigningKeys {
  private static readonly MAX = 20_000;
  private readonly keys = new Map<string, KeyObject>();

  async get(accessKeyId: string, secret: string, shortDate: string, region: string, service: string, derive: () => Promise<Uint8Array>): Promise<KeyObject> {
    const id = `${accessKeyId}\0${secret}\0${shortDate}\0${region}\0${service}`;
    let key = this.keys.get(id);
    if (!key) {
      key = createSecretKey(await derive());
      if (this.keys.size >= SigningKeys.MAX) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(id, key);
    }
    return key;
  }
}

const signingKeys = new SigningKeys();

export class SignatureVerifier {
  private readonly keys: CredentialLookup;
  private readonly realClock: Clock;

  /** `realClock`: signatures are about wall time, whatever clock the engine runs on. */
  constructor(keys: CredentialLookup, realClock: Clock) {
    this.keys = keys;
    this.realClock = realClock;
  }

  /** The caller's scope when the request is signed by a known key; AWS's error otherwise. */
  async verify(request: SignedRequest, options: { service?: string } = {}): Promise<Scope & { accessKeyId: string; subject?: string }> {
    const SERVICE = options.service ?? DEFAULT_SERVICE;
    const url = new URL(request.url, 'http://localhost');
    const auth = header(request.headers, 'authorization');
    const presigned = !auth && url.searchParams.has('X-Amz-Signature');
    if (!auth && !presigned && !url.searchParams.has('X-Amz-Algorithm')) throw missingToken();
    if (auth && !auth.startsWith(`${ALGORITHM} `)) throw missingToken();
    const parts = auth ? fromHeader(auth, request.headers) : fromQuery(url.searchParams);
    const signed = new Set(parts.signedHeaders.split(';').filter(Boolean).map((name) => name.toLowerCase()));
    if (!signed.has('host')) throw hostNotSigned();
    const unsigned = unsignedRequiredHeaders(request.headers, signed, auth ? undefined : url.searchParams);
    if (unsigned.length > 0) throw notSigned(unsigned);

    const scopeParts = parts.credential.split('/');
    if (scopeParts.length !== 5) {
      throw new AuthError('IncompleteSignatureException', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parts.credential}'`);
    }
    const [accessKeyId, shortDate, region, service, terminator] = scopeParts;
    const key = await this.keys.find(accessKeyId);
    if (!key) throw unknownKey();
    if (key.sessionToken !== undefined && parts.securityToken !== key.sessionToken) throw unknownKey();
    if (service !== SERVICE) throw new AuthError('InvalidSignatureException', `Credential should be scoped to correct service: '${SERVICE}'. `);
    if (terminator !== TERMINATOR) throw new AuthError('InvalidSignatureException', `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'. `);

    const signedAt = parseLongDate(parts.longDate);
    if (Number.isNaN(signedAt)) throw new AuthError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${parts.longDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
    if (parts.longDate.slice(0, 8) !== shortDate) {
      throw new AuthError('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${shortDate}' != '${parts.longDate.slice(0, 8)}', from '${parts.longDate}'.`);
    }
    this.checkTime(signedAt, parts);

    const headers: Record<string, string> = Object.create(null);
    // A header SignedHeaders names but the request lacks: the signature cannot be of this request.
    let complete = true;
    for (const name of signed) {
      const value = header(request.headers, name);
      if (value === undefined) complete = false;
      else headers[name] = value;
    }
    const query: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of url.searchParams) {
      const known = query[name];
      query[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
    }
    const httpRequest: HttpRequest = {
      method: request.method, protocol: 'http:', hostname: header(request.headers, 'host') ?? '', path: url.pathname, query, headers, body: request.body,
    };
    const { canonicalForm, getCanonicalHeaders, getSigningKey } = await loadSigner();
    const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, signed);
    // The body received, hashed here: a signed x-amz-content-sha256 is only a header (see the top).
    const payloadHash = bodyHash(request.body);
    const claimedHash = header(request.headers, 'x-amz-content-sha256');
    if (claimedHash !== undefined && claimedHash !== payloadHash) complete = false;
    const canonical = canonicalForm.canonicalRequest(httpRequest, canonicalHeaders, payloadHash);
    const credentialScope = `${shortDate}/${region}/${service}/${terminator}`;
    const stringToSign = await canonicalForm.stringToSign(parts.longDate, credentialScope, canonical);
    let matches: boolean;
    if (key.publicKey) {
      matches = verifySignature('sha256', Buffer.from(stringToSign), { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING }, Buffer.from(parts.signature, 'base64'));
    } else {
      const signingKey = await signingKeys.get(accessKeyId, key.secretAccessKey, shortDate, region, service,
        () => getSigningKey(Sha256, { accessKeyId, secretAccessKey: key.secretAccessKey }, shortDate, region, service));
      matches = sameText(createHmac('sha256', signingKey).update(stringToSign).digest('hex'), parts.signature);
    }
    if (!matches || !complete) {
      throw new AuthError('InvalidSignatureException',
        `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`);
    }
    return { account: key.accountId, region, accessKeyId, subject: key.subject };
  }

  private checkTime(signedAt: number, parts: SignatureParts): void {
    const now = this.realClock.now();
    const stamp = (ms: number) => longDateOf(ms);
    if (parts.expiresSeconds !== undefined) {
      if (parts.expiresSeconds === 0 || now > signedAt + parts.expiresSeconds * 1000) {
        throw new AuthError('InvalidSignatureException', `Signature expired: ${parts.longDate} is now earlier than ${stamp(now - parts.expiresSeconds * 1000)} (${stamp(now)} - ${parts.expiresSeconds} sec.)`);
      }
    } else if (signedAt < now - SKEW_MS) {
      throw new AuthError('InvalidSignatureException', `Signature expired: ${parts.longDate} is now earlier than ${stamp(now - SKEW_MS)} (${stamp(now)} - 5 min.)`);
    }
    if (signedAt > now + SKEW_MS) {
      throw new AuthError('InvalidSignatureException', `Signature not yet current: ${parts.longDate} is still later than ${stamp(now + SKEW_MS)} (${stamp(now)} + 5 min.)`);
    }
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
