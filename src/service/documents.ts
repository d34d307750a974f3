// Use cases for SSM documents: list, describe, get. The documents are the built-in catalog
// (src/domain/documents.ts), the same in every account and Region, so nothing here touches the store.

import { createHash } from 'node:crypto';
import {
  type BuiltInDocument,
  builtInDocuments,
  type ContentFormat,
  documentContent,
  findDocument,
} from '../domain/documents.ts';
import { InvalidFilterKey, InvalidNextToken, ValidationException } from '../domain/errors.ts';
import { pageSize } from './context.ts';
import { listingPage } from './keyset-pages.ts';
import { PageTokens } from './page-tokens.ts';

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

export interface ListDocumentsInput {
  filters?: DocumentKeyValues[];
  legacyFilters?: DocumentKeyValue[];
  maxResults?: number;
  nextToken?: string;
}

export interface DocumentPage {
  documents: BuiltInDocument[];
  nextToken?: string;
}


type Predicate = (document: BuiltInDocument) => boolean;

// Owner values AWS documents: Amazon (its own), Self (the caller's), Private (shared with the caller),
// Public (shared publicly by others), ThirdParty; `All` is accepted by the console and CLI as "any".
// Only the first and last can match a built-in document.
const OWNERS = ['Self', 'Amazon', 'Private', 'Public', 'ThirdParty', 'All'];
const KEYS = ['DocumentType', 'Name', 'Owner', 'PlatformTypes', 'SearchKeyword', 'TargetType', 'tag:<key>'];

function ownerPredicate(values: string[]): Predicate {
  if (values.length !== 1) throw new ValidationException('Owner filter can only have one value.');
  const owner = values[0];
  if (!OWNERS.includes(owner)) {
    throw new ValidationException(`The Owner filter value ${owner} is not valid. Valid values are: ${OWNERS.join(', ')}.`);
  }
  return (d) => owner === 'All' || owner === d.owner;
}

/** One `Filters` entry as a predicate (AWS: different keys ANDed, a key's values ORed). */
function keyValuesPredicate(filter: DocumentKeyValues): Predicate {
  const values = filter.values;
  // An empty value list is refused, as every other Describe filter here refuses it: never "nothing matched".
  if (values.length === 0) throw new ValidationException(`The filter ${filter.key} must have at least one value.`);
  if (filter.key.startsWith('tag:')) return () => false; // built-in documents carry no tags
  switch (filter.key) {
    case 'Name': // a name prefix (the API reference's own example: Key=Name,Values=Te)
      return (d) => values.some((v) => d.name.startsWith(v));
    case 'Owner':
      return ownerPredicate(values);
    case 'DocumentType':
      return (d) => values.includes(d.documentType);
    case 'PlatformTypes':
      return (d) => d.platformTypes.some((p) => values.includes(p));
    case 'TargetType': // the built-in Command documents declare no target type
      return () => false;
    case 'SearchKeyword':
      return (d) => values.some((v) => d.name.toLowerCase().includes(v.toLowerCase()) || d.description.toLowerCase().includes(v.toLowerCase()));
    default:
      throw new InvalidFilterKey(`The filter key ${filter.key} is not valid. Valid filter keys include: [${KEYS.join(', ')}].`);
  }
}

function keyValuePredicate(filter: DocumentKeyValue): Predicate {
  switch (filter.key) {
    case 'Name':
      return (d) => d.name === filter.value;
    case 'Owner':
      return ownerPredicate([filter.value]);
    case 'PlatformTypes':
      return (d) => d.platformTypes.includes(filter.value as never);
    case 'DocumentType':
      return (d) => d.documentType === filter.value;
  }
}

// The catalog is public and fixed, so its page tokens need no per-installation secret: they are signed
// with a key derived from the catalog, which still refuses altered tokens and tokens of other listings,
// and stays valid across restarts (and changes, invalidating old tokens, if the catalog does).
function catalogTokens(): PageTokens {
  const key = createHash('sha256').update('ListDocuments');
  for (const document of builtInDocuments) key.update(document.hash);
  return new PageTokens(key.digest('hex'));
}

const LISTING = 'ListDocuments';

export class DocumentService {
  private readonly tokens: PageTokens;

  /** `tokens`: the installation's page-token signer (ctx.tokens); a catalog-derived one by default. */
  constructor(tokens: PageTokens = catalogTokens()) {
    this.tokens = tokens;
  }

  async list(input: ListDocumentsInput): Promise<DocumentPage> {
    const predicates = [...(input.filters ?? []).map(keyValuesPredicate), ...(input.legacyFilters ?? []).map(keyValuePredicate)];
    const accept = (d: BuiltInDocument) => predicates.every((p) => p(d));
    // Keys are positions in the name-ordered catalog, from 1.
    const keyed = builtInDocuments.map((item, index) => ({ key: index + 1, item }));
    try {
      const page = await listingPage(
        this.tokens,
        LISTING,
        { nextToken: input.nextToken, pageSize: pageSize(input.maxResults, 50, 50) },
        async (after, limit) => keyed.filter((row) => row.key > after).slice(0, limit),
        accept,
      );
      return { documents: page.items, nextToken: page.nextToken };
    } catch (error) {
      // ListDocuments has its own exception for a bad token (the model lists InvalidNextToken).
      if (error instanceof ValidationException && error.message === 'The specified NextToken is not valid.') {
        throw new InvalidNextToken();
      }
      throw error;
    }
  }

  async describe(name: string, version?: string, versionName?: string): Promise<BuiltInDocument> {
    return findDocument(name, version, versionName);
  }

  async get(
    name: string,
    options: { version?: string; versionName?: string; format?: string } = {},
  ): Promise<{ document: BuiltInDocument; format: ContentFormat; content: string }> {
    const document = findDocument(name, options.version, options.versionName);
    const format = options.format ?? document.documentFormat;
    if (format !== 'JSON' && format !== 'YAML') throw new ValidationException(`Invalid document format ${format}`);
    return { document, format, content: documentContent(document, format) };
  }
}
