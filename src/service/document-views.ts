// What the document operations answer about one document at one version, whether it is a built-in Amazon
// document (domain/documents.ts) or one the account wrote (the documents port); the ListDocuments
// filters over those views; and which stored version a request's DocumentVersion / VersionName names.

import { type BuiltInDocument, InvalidDocumentVersion } from '../domain/documents.ts';
import { InvalidFilterKey, ValidationException } from '../domain/errors.ts';
import type { Scope, Tag } from '../domain/model.ts';
import type { DescribedParameter, StoreOperations, UserDocument, UserDocumentVersion } from './ports.ts';

export interface DocumentView {
  /** The name; for a document another account shares with the reader, its ARN (how the reader names it). */
  name: string;
  /** 'Amazon' for the built-in documents, the owner's account id for the others. */
  owner: string;
  builtIn: boolean;
  /** How another account's document reaches the reader: shared with its account, or with all. */
  shared?: 'Private' | 'Public';
  /** When this version was created. */
  createdAt: number;
  status: 'Active';
  version: string;
  versionName?: string;
  displayName?: string;
  hash: string;
  description?: string;
  parameters: DescribedParameter[];
  platformTypes: string[];
  documentType: string;
  schemaVersion: string;
  latestVersion: string;
  defaultVersion: string;
  documentFormat: string;
  targetType?: string;
  tags: Tag[];
  requires?: UserDocumentVersion['requires'];
}

export function builtInView(d: BuiltInDocument): DocumentView {
  return {
    name: d.name, owner: d.owner, builtIn: true, createdAt: d.createdAt, status: 'Active', version: d.version, hash: d.hash,
    description: d.description,
    parameters: d.parameters.map((p) => ({ Name: p.name, Type: p.type, Description: p.description, DefaultValue: p.defaultValue })),
    platformTypes: [...d.platformTypes], documentType: d.documentType, schemaVersion: d.schemaVersion,
    latestVersion: d.version, defaultVersion: d.version, documentFormat: d.documentFormat, tags: [],
    ...(d.targetType === undefined ? {} : { targetType: d.targetType }),
  };
}

export function userView(scope: Scope, d: UserDocument, v: UserDocumentVersion): DocumentView {
  return {
    name: d.name, owner: scope.account, builtIn: false, createdAt: v.createdAt, status: v.status, version: String(v.number),
    versionName: v.versionName, displayName: v.displayName, hash: v.hash, description: v.description, parameters: v.parameters,
    platformTypes: v.platformTypes, documentType: v.documentType, schemaVersion: v.schemaVersion,
    latestVersion: String(d.latestVersion), defaultVersion: String(d.defaultVersion), documentFormat: v.format,
    targetType: v.targetType, tags: d.tags, requires: v.requires,
  };
}

/**
 * Another account's document as the reader sees it: named by its ARN, without the owner's tags (AWS's
 * list-documents example of a shared document shows "Tags": []).
 */
export function sharedView(owner: Scope, d: UserDocument, v: UserDocumentVersion, arn: string, shared: 'Private' | 'Public'): DocumentView {
  return { ...userView(owner, d, v), name: arn, shared, tags: [] };
}

/** The name a document has in its owner's account (a shared one is listed by its ARN). */
function ownName(d: DocumentView): string {
  return d.shared ? d.name.slice(d.name.indexOf(':document/') + ':document/'.length) : d.name;
}

/** Every version of a document (AWS keeps at most 1,000), in order. */
export async function allVersions(store: StoreOperations, scope: Scope, name: string): Promise<UserDocumentVersion[]> {
  return (await store.listDocumentVersions(scope, name, 0, 100_000)).map((row) => row.item);
}

/**
 * The version a request names: `$LATEST`, `$DEFAULT` or a number, and/or a version name (both must then
 * agree); the default version when it names none. InvalidDocumentVersion when there is no such version.
 */
export async function selectVersion(
  store: StoreOperations, scope: Scope, document: UserDocument, version?: string, versionName?: string,
): Promise<UserDocumentVersion> {
  const refuse = () => new InvalidDocumentVersion({ name: document.name, version, versionName });
  let found: UserDocumentVersion | undefined;
  if (version !== undefined) {
    const number = version === '$LATEST' ? document.latestVersion : version === '$DEFAULT' ? document.defaultVersion : /^[1-9][0-9]*$/.test(version) ? Number(version) : NaN;
    if (Number.isNaN(number)) throw refuse();
    found = await store.getDocumentVersion(scope, document.name, number);
    if (found && versionName !== undefined && found.versionName !== versionName) throw refuse();
  } else if (versionName !== undefined) {
    found = (await allVersions(store, scope, document.name)).find((v) => v.versionName === versionName);
  } else {
    found = await store.getDocumentVersion(scope, document.name, document.defaultVersion);
  }
  if (!found) throw refuse();
  return found;
}

// ---- ListDocuments filters

/** One `Filters` entry (DocumentKeyValuesFilter): `Key` with any of `Values`. */
export interface DocumentKeyValues {
  key: string;
  values: string[];
}

/** One `DocumentFilterList` entry (the deprecated DocumentFilter): `key` equal to one `value`. */
export interface DocumentKeyValue {
  key: 'Name' | 'Owner' | 'PlatformTypes' | 'DocumentType';
  value: string;
}

export type Predicate = (document: DocumentView) => boolean;

// Owner values AWS documents: Amazon (its own), Self (the caller's), Private (shared with the caller),
// Public (shared publicly by others), ThirdParty; `All` is accepted by the console and CLI as "any".
// Public also lists Amazon's documents, which AWS calls "publicly available for all to use" [I];
// ThirdParty matches nothing (no third-party publishers here).
const OWNERS = ['Self', 'Amazon', 'Private', 'Public', 'ThirdParty', 'All'];
const KEYS = ['DocumentType', 'Name', 'Owner', 'PlatformTypes', 'SchemaVersion', 'SearchKeyword', 'TagKeys', 'TargetType', 'tag:<key>'];

function ownerPredicate(values: string[]): Predicate {
  if (values.length !== 1) throw new ValidationException('Owner filter can only have one value.');
  const owner = values[0];
  if (!OWNERS.includes(owner)) {
    throw new ValidationException(`The Owner filter value ${owner} is not valid. Valid values are: ${OWNERS.join(', ')}.`);
  }
  switch (owner) {
    case 'All':
      return () => true;
    case 'Amazon':
      return (d) => d.builtIn;
    case 'Self':
      return (d) => !d.builtIn && d.shared === undefined;
    case 'Private':
      return (d) => d.shared === 'Private';
    case 'Public':
      return (d) => d.builtIn || d.shared === 'Public';
    default:
      return () => false;
  }
}

/** One `Filters` entry as a predicate (AWS: different keys ANDed, a key's values ORed). */
export function keyValuesPredicate(filter: DocumentKeyValues): Predicate {
  const values = filter.values;
  // An empty value list is refused, as every other Describe filter here refuses it: never "nothing matched".
  if (values.length === 0) throw new ValidationException(`The filter ${filter.key} must have at least one value.`);
  if (filter.key.startsWith('tag:')) {
    const tagKey = filter.key.slice(4);
    return (d) => d.tags.some((t) => t.key === tagKey && values.includes(t.value));
  }
  switch (filter.key) {
    case 'Name': // a name prefix (the API reference's own example: Key=Name,Values=Te); a shared one's own name
      return (d) => values.some((v) => ownName(d).startsWith(v));
    case 'Owner':
      return ownerPredicate(values);
    case 'DocumentType':
      return (d) => values.includes(d.documentType);
    case 'PlatformTypes':
      return (d) => d.platformTypes.some((p) => values.includes(p));
    case 'SchemaVersion':
      return (d) => values.includes(d.schemaVersion);
    case 'TargetType':
      return (d) => d.targetType !== undefined && values.includes(d.targetType);
    case 'TagKeys': // documents with a tag of any of these keys, whatever its value [I] (issue 21 names the key)
      return (d) => d.tags.some((t) => values.includes(t.key));
    case 'SearchKeyword':
      return (d) => values.some((v) => d.name.toLowerCase().includes(v.toLowerCase()) || (d.description ?? '').toLowerCase().includes(v.toLowerCase()));
    default:
      throw new InvalidFilterKey(`The filter key ${filter.key} is not valid. Valid filter keys include: [${KEYS.join(', ')}].`);
  }
}

export function keyValuePredicate(filter: DocumentKeyValue): Predicate {
  switch (filter.key) {
    case 'Name':
      return (d) => ownName(d) === filter.value;
    case 'Owner':
      return ownerPredicate([filter.value]);
    case 'PlatformTypes':
      return (d) => d.platformTypes.includes(filter.value);
    case 'DocumentType':
      return (d) => d.documentType === filter.value;
  }
}
