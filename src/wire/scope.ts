// Which account and Region a request belongs to, read from its SigV4 Authorization header
// (`Credential=<access key id>/<date>/<region>/ssm/aws4_request`). The signature itself is not verified:
// this is a local service. An access key id of 12 digits is taken as the account id, so tests can use
// several accounts; anything else is the default account.

import type { Scope } from '../domain/model.ts';

export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

const credentialPattern = /Credential=([^/,\s]+)\/[^/,\s]*\/([^/,\s]+)\//;

export function scopeOf(authorization: string | undefined): Scope {
  const match = authorization ? credentialPattern.exec(authorization) : null;
  if (!match) return { account: DEFAULT_ACCOUNT, region: DEFAULT_REGION };
  const [, accessKeyId, region] = match;
  return { account: /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT, region };
}
