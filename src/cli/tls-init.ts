// `tls init DIR [--name HOST]... [--ip ADDR]... [--force]`: a private CA and a server certificate it signed,
// so the stock SSM Agent (which speaks only https:// and wss:// to Session Manager) can trust the service.
//
// Node's crypto makes the keys and the signatures; Node cannot build an X.509 certificate, so the DER below
// writes the few structures a certificate needs (RFC 5280). That is about a hundred lines against a dependency
// tree (@peculiar/x509 brings eleven packages; node-forge has no ECDSA and signs in pure JavaScript), and what
// it writes is checked by Node, by OpenSSL (-x509_strict) and by the aws CLI's Python in test/e2e/tls-init.test.ts.
// The encoding follows what Go's strict parser (the agent's) demands: minimal INTEGERs, a positive serial,
// BOOLEAN as 0xff, default values left out.
// Keys are ECDSA P-256 with SHA-256: what Go's crypto/tls (the agent, session-manager-plugin), OpenSSL and
// Apple accept everywhere, and made in about a millisecond.

import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseCommandLine, UsageError } from './options.ts';

export const tlsHelp = `TLS (for HTTPS, which the stock SSM Agent needs):
  tls init DIR [--name HOST]... [--ip ADDR]... [--force]
                                     write a private CA (ca.pem, ca-key.pem) and a server certificate it
                                     signed (server.pem, server-key.pem) into DIR; the certificate is for
                                     every --name and --ip (default: localhost and this machine's name,
                                     127.0.0.1 and ::1). An existing CA in DIR is kept and signs the new
                                     certificate; --force replaces an existing server certificate.
`;

export interface TlsFiles {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** Apple's limit for TLS server certificates is 825 days; the CA itself may live longer. */
const SERVER_DAYS = 800;
const CA_DAYS = 3650;
/** notBefore this far back, so a machine whose clock is a little behind still accepts a fresh certificate. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

// --- DER: tag, minimal length, content -------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : (() => {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
  })();
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);
const TRUE = tlv(0x01, Buffer.from([0xff]));

/** A non-negative INTEGER, minimally encoded (Go refuses padding). */
function integer(value: Buffer): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0 && value[i + 1] < 0x80) i++;
  const v = value.subarray(i);
  return tlv(0x02, v[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime after; whole seconds, Z. */
function time(ms: number): Buffer {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:T]|\.000/g, '');
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

/** Named bits (keyUsage) as a DER BIT STRING: trailing zero bits dropped. */
function namedBits(positions: number[]): Buffer {
  const last = Math.max(...positions);
  const bytes = Buffer.alloc((last >> 3) + 1);
  for (const p of positions) bytes[p >> 3] |= 0x80 >> (p & 7);
  return bits(bytes, 7 - (last & 7));
}

interface Tlv { tag: number; whole: Buffer; content: Buffer }

/** One DER value at offset: enough of a reader for the CA files this command wrote. */
function readTlv(der: Buffer, offset = 0): Tlv {
  let length = der[offset + 1];
  let start = offset + 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let k = 0; k < count; k++) length = length * 256 + der[start + k];
    start += count;
  }
  return { tag: der[offset], whole: der.subarray(offset, start + length), content: der.subarray(start, start + length) };
}

/** The values inside a constructed value's content (a SEQUENCE's members). */
function children(content: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let i = 0; i < content.length; i += out.at(-1)!.whole.length) out.push(readTlv(content, i));
  return out;
}

// --- certificates ----------------------------------------------------------------------------------------

const OID = {
  commonName: '2.5.4.3', organization: '2.5.4.10',
  subjectKeyId: '2.5.29.14', keyUsage: '2.5.29.15', subjectAltName: '2.5.29.17', basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35', extKeyUsage: '2.5.29.37', serverAuth: '1.3.6.1.5.5.7.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2', sha256WithRsa: '1.2.840.113549.1.1.11',
};

// RFC 5280 caps a common name at 64 characters; the names that matter are in subjectAltName anyway.
const name = (commonName: string) => seq(set(seq(oid(OID.organization), utf8('mw-local'))), set(seq(oid(OID.commonName), utf8(commonName.slice(0, 64)))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [TRUE] : []), octets(value));

/** RFC 5280's key identifier, method 1: SHA-1 of the subjectPublicKey bits. */
function keyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(children(readTlv(spki).content)[1].content.subarray(1)).digest();
}

/** The signature algorithm for the signer's key; a reused CA may have an RSA key of its own. */
function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return seq(oid(OID.ecdsaWithSha256));
  if (key.asymmetricKeyType === 'rsa') return seq(oid(OID.sha256WithRsa), tlv(0x05, Buffer.alloc(0)));
  throw new UsageError(`the CA key is ${key.asymmetricKeyType}; tls init signs with EC or RSA keys only`);
}

interface Issuer { name: Buffer; key: KeyObject; keyId: Buffer }

function certificate(o: { issuer: Issuer; subject: Buffer; publicKey: KeyObject; days: number; extensions: Buffer[] }): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, and no leading zero to strip
  const notBefore = Date.now() - BACKDATE_MS;
  const algorithm = signatureAlgorithm(o.issuer.key);
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    o.issuer.name,
    seq(time(notBefore), time(notBefore + o.days * DAY_MS)),
    o.subject,
    o.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...o.extensions,
      extension(OID.subjectKeyId, false, octets(keyId(o.publicKey))),
      extension(OID.authorityKeyId, false, seq(tlv(0x80, o.issuer.keyId))))),
  );
  const der = seq(tbs, algorithm, bits(sign('sha256', tbs, o.issuer.key)));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** IPv4 as 4 bytes, IPv6 as 16 (the SAN iPAddress form). */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = ip.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array(missing).fill('0'), ...groups(tail)];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

// --- files -----------------------------------------------------------------------------------------------

const exists = (file: string) => access(file, constants.F_OK).then(() => true, () => false);

/** A key is created 0600 from the start; with `replace`, an old file is removed first so the mode is ours. */
async function put(file: string, text: string, secret: boolean, replace: boolean): Promise<void> {
  if (replace) await unlink(file).catch(() => {});
  await writeFile(file, text, { flag: 'wx', mode: secret ? 0o600 : 0o644 });
}

async function loadCa(files: TlsFiles): Promise<Issuer> {
  const cert = new X509Certificate(await readFile(files.caCert));
  const key = createPrivateKey(await readFile(files.caKey));
  if (!cert.ca) throw new UsageError(`${files.caCert} is not a CA certificate; remove it and ${files.caKey} for a new CA`);
  if (!cert.checkPrivateKey(key)) throw new UsageError(`${files.caKey} is not the key of ${files.caCert}`);
  const fields = children(children(readTlv(cert.raw).content)[0].content);
  const at = fields[0].tag === 0xa0 ? 1 : 0; // after the optional version: serial, algorithm, issuer, validity, subject
  // Our AuthorityKeyIdentifier must equal the CA's SubjectKeyIdentifier, or strict verifiers find no issuer.
  const extensions = fields.find((f) => f.tag === 0xa3);
  const ski = extensions && children(readTlv(extensions.content).content).map((e) => children(e.content))
    .find((e) => e[0].whole.equals(oid(OID.subjectKeyId)))?.at(-1);
  return { name: Buffer.from(fields[at + 4].whole), key, keyId: ski ? Buffer.from(readTlv(ski.content).content) : keyId(cert.publicKey) };
}

/**
 * Writes ca.pem, ca-key.pem, server.pem and server-key.pem into dir (created if missing) and returns their
 * paths. Existing server files are an error unless `force`; a CA already in dir (both files) is kept and
 * signs the new certificate, so machines that trust it keep trusting the service.
 */
export async function initTls(dir: string, options: { names?: string[]; ips?: string[]; force?: boolean } = {}): Promise<TlsFiles> {
  const files: TlsFiles = { caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  const names = options.names?.length ? options.names : [...new Set(['localhost', hostname()])];
  const ips = options.ips?.length ? options.ips : ['127.0.0.1', '::1'];
  for (const n of names) {
    if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(n) || n.length > 253) {
      throw new UsageError(`--name must be a DNS name (letters, digits, hyphens, dots), got '${n}'`);
    }
  }
  for (const ip of ips) if (!isIP(ip)) throw new UsageError(`--ip must be an IPv4 or IPv6 address, got '${ip}'`);
  await mkdir(dir, { recursive: true });
  const [caCert, caKey, cert, key] = await Promise.all([files.caCert, files.caKey, files.cert, files.key].map(exists));
  const inTheWay = [cert && files.cert, key && files.key].filter(Boolean);
  if (inTheWay.length && !options.force) throw new UsageError(`refusing to overwrite ${inTheWay.join(' and ')}; pass --force to issue a new server certificate (the CA in ${dir} is kept)`);
  if (caCert !== caKey && !options.force) throw new UsageError(`${caCert ? files.caCert : files.caKey} is there without ${caCert ? files.caKey : files.caCert}; remove it, or pass --force for a new CA`);

  let issuer: Issuer;
  if (caCert && caKey) {
    issuer = await loadCa(files);
  } else {
    const ca = newKey();
    const caName = name(`mw-local CA ${hostname()} ${new Date().toISOString().slice(0, 10)} ${randomBytes(3).toString('hex')}`);
    const caKeyId = keyId(ca.publicKey);
    const caPem = certificate({
      issuer: { name: caName, key: ca.privateKey, keyId: caKeyId }, subject: caName, publicKey: ca.publicKey, days: CA_DAYS,
      extensions: [
        extension(OID.basicConstraints, true, seq(TRUE, integer(Buffer.from([0])))), // CA:true, pathlen 0: it signs servers only
        extension(OID.keyUsage, true, namedBits([5, 6])), // keyCertSign, cRLSign
      ],
    });
    await put(files.caKey, ca.pem, true, options.force === true);
    await put(files.caCert, caPem, false, options.force === true);
    issuer = { name: caName, key: ca.privateKey, keyId: caKeyId };
  }
  const server = newKey();
  const serverPem = certificate({
    issuer, subject: name(names[0]), publicKey: server.publicKey, days: SERVER_DAYS,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, namedBits([0])), // digitalSignature (ECDHE-ECDSA)
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(...names.map((n) => tlv(0x82, Buffer.from(n))), ...ips.map((ip) => tlv(0x87, ipBytes(ip))))),
    ],
  });
  await put(files.key, server.pem, true, options.force === true);
  await put(files.cert, serverPem, false, options.force === true);
  return files;
}

function nextSteps(files: TlsFiles, reusedCa: boolean): string {
  return `${reusedCa ? 'Kept the CA' : 'Wrote a new CA'} ${files.caCert} (key ${files.caKey}, keep it private)
and a server certificate ${files.cert} (key ${files.key}).

1. Serve HTTPS:
     npm start -- --tls-cert ${files.cert} --tls-key ${files.key}
2. On each machine with the SSM Agent, copy ${files.caCert} there and add it to the system CA bundle
   (the agent's workers get no SSL_CERT_FILE, so an environment variable is not enough):
     Debian/Ubuntu:           cp ca.pem /usr/local/share/ca-certificates/mw-local.crt && update-ca-certificates
     RHEL/Amazon Linux/Fedora: cp ca.pem /etc/pki/ca-trust/source/anchors/mw-local.pem && update-ca-trust
   then point the agent's endpoints at https://HOST:PORT (README: "Joining a real machine").
3. aws CLI: --ca-bundle ${files.caCert} (or AWS_CA_BUNDLE=${files.caCert}); boto3: verify="${files.caCert}".
`;
}

export async function runTlsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string', multiple: true }, ip: { type: 'string', multiple: true }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(tlsHelp);
    return;
  }
  const [action, dir, ...extra] = positionals;
  if (action !== 'init' || !dir || extra.length) throw new UsageError(`usage: tls init DIR [--name HOST]... [--ip ADDR]... [--force]`);
  const reusedCa = await exists(join(dir, 'ca.pem')) && await exists(join(dir, 'ca-key.pem'));
  const files = await initTls(dir, { names: values.name, ips: values.ip, force: values.force });
  process.stdout.write(nextSteps(files, reusedCa));
}
