// The keys the service accepts (`--credentials FILE`): a JSON list of {"accessKeyId", "secretAccessKey",
// "accountId", "sessionToken"?, "operator"?}. An operator key may also do what concerns the whole service
// rather than one account (move the manual clock, read /metrics). Read at start and again on SIGHUP; a file that fails to parse on reload
// leaves the keys in use as they were, so a typo never locks everyone out.

import { readFileSync } from 'node:fs';
import type { Credential, CredentialLookup } from './sigv4.ts';

export function parseCredentials(text: string, source: string): Credential[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(list)) throw new Error(`${source}: expected a JSON list of {"accessKeyId", "secretAccessKey", "accountId"}`);
  const seen = new Set<string>();
  return list.map((entry: Record<string, unknown>, i) => {
    const where = `${source}: entry ${i + 1}`;
    for (const name of ['accessKeyId', 'secretAccessKey', 'accountId']) {
      if (typeof entry?.[name] !== 'string' || entry[name] === '') throw new Error(`${where} has no "${name}" string`);
    }
    if (!/^\d{12}$/.test(entry.accountId as string)) throw new Error(`${where}: "accountId" must be 12 digits`);
    if (entry.sessionToken !== undefined && typeof entry.sessionToken !== 'string') throw new Error(`${where}: "sessionToken" must be a string`);
    if (entry.operator !== undefined && typeof entry.operator !== 'boolean') throw new Error(`${where}: "operator" must be true or false`);
    if (seen.has(entry.accessKeyId as string)) throw new Error(`${where}: access key ${entry.accessKeyId} is listed twice`);
    seen.add(entry.accessKeyId as string);
    return {
      accessKeyId: entry.accessKeyId as string, secretAccessKey: entry.secretAccessKey as string, accountId: entry.accountId as string,
      ...(entry.sessionToken !== undefined ? { sessionToken: entry.sessionToken as string } : {}),
      ...(entry.operator === true ? { operator: true } : {}),
    };
  });
}

export class CredentialsFile implements CredentialLookup {
  private readonly path: string;
  private keys = new Map<string, Credential>();

  constructor(path: string) {
    this.path = path;
    this.reload();
  }

  get size(): number {
    return this.keys.size;
  }

  /** Reads the file again; throws (keeping the current keys) when it is not valid. */
  reload(): void {
    const list = parseCredentials(readFileSync(this.path, 'utf8'), this.path);
    this.keys = new Map(list.map((key) => [key.accessKeyId, key]));
  }

  /** Whether the key may act on the whole service (the manual clock, /metrics): `"operator": true` in the file. */
  isOperator(accessKeyId: string): boolean {
    return this.keys.get(accessKeyId)?.operator === true;
  }

  find(accessKeyId: string): Credential | undefined {
    return this.keys.get(accessKeyId);
  }
}
