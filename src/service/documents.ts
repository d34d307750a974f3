// Use cases that read SSM documents: ListDocuments, DescribeDocument, GetDocument, ListDocumentVersions,
// over the built-in catalog (src/domain/documents.ts, the same in every account and Region) and the
// documents the caller's account wrote (the documents port; written by user-documents.ts).

import { convertContent, type DocumentFormat } from '../domain/document-content.ts';
import { builtInDocuments, documentContent, findDocument, InvalidDocument } from '../domain/documents.ts';
import { InvalidNextToken, ValidationException } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';
import { pageSize } from './context.ts';
import {
  builtInView,
  type DocumentKeyValue,
  type DocumentKeyValues,
  type DocumentView,
  keyValuePredicate,
  keyValuesPredicate,
  selectVersion,
  userView,
} from './document-views.ts';
import { listingPage } from './keyset-pages.ts';
import type { Keyed } from './ports.ts';
import { isBuiltIn, type NewDocumentInput, type UpdateDocumentInput, UserDocuments } from './user-documents.ts';

export type { DocumentKeyValue, DocumentKeyValues, DocumentView } from './document-views.ts';

export interface ListDocumentsInput {
  filters?: DocumentKeyValues[];
  legacyFilters?: DocumentKeyValue[];
  maxResults?: number;
  nextToken?: string;
}

export interface DocumentPage {
  documents: DocumentView[];
  nextToken?: string;
}

export interface DocumentVersionView {
  name: string;
  displayName?: string;
  version: string;
  versionName?: string;
  createdAt: number;
  isDefault: boolean;
  documentFormat: string;
  status: 'Active';
}

// Keys of ListDocuments: the built-in catalog first (positions 1, 2, ... in its name order), then the
// account's documents in creation order (their store key after this offset).
const USER_KEYS = 1_000_000;

async function unwrapTokenError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    // These listings have their own exception for a bad token (the model lists InvalidNextToken).
    if (error instanceof ValidationException && error.message === 'The specified NextToken is not valid.') throw new InvalidNextToken();
    throw error;
  }
}

export class DocumentService {
  private readonly ctx: ServiceContext;
  private readonly writes: UserDocuments;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
    this.writes = new UserDocuments(ctx);
  }

  create(scope: Scope, input: NewDocumentInput): Promise<DocumentView> {
    return this.writes.create(scope, input);
  }

  update(scope: Scope, input: UpdateDocumentInput): Promise<DocumentView> {
    return this.writes.update(scope, input);
  }

  setDefaultVersion(scope: Scope, name: string, version: string) {
    return this.writes.setDefaultVersion(scope, name, version);
  }

  delete(scope: Scope, input: { name: string; version?: string; versionName?: string; force?: boolean }): Promise<void> {
    return this.writes.delete(scope, input);
  }

  async list(scope: Scope, input: ListDocumentsInput): Promise<DocumentPage> {
    const predicates = [...(input.filters ?? []).map(keyValuesPredicate), ...(input.legacyFilters ?? []).map(keyValuePredicate)];
    const accept = (d: DocumentView) => predicates.every((p) => p(d));
    const store = this.ctx.store;
    const catalog = builtInDocuments.map((d, index) => ({ key: index + 1, item: builtInView(d) }));
    const fetch = async (after: number, limit: number): Promise<Keyed<DocumentView>[]> => {
      const rows = catalog.filter((row) => row.key > after).slice(0, limit);
      if (rows.length === limit) return rows;
      const stored = await store.listDocuments(scope, Math.max(0, after - USER_KEYS), limit - rows.length);
      for (const row of stored) {
        const version = await store.getDocumentVersion(scope, row.item.name, row.item.defaultVersion);
        if (version) rows.push({ key: USER_KEYS + row.key, item: userView(scope, row.item, version) });
      }
      return rows;
    };
    const page = await unwrapTokenError(listingPage(this.ctx.tokens, `ListDocuments|${scope.account}|${scope.region}`,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults, 50, 50) }, fetch, accept));
    return { documents: page.items, nextToken: page.nextToken };
  }

  /** The document at the version asked for (the default one when none is). */
  async describe(scope: Scope, name: string, version?: string, versionName?: string): Promise<DocumentView> {
    if (isBuiltIn(name)) return builtInView(findDocument(name, version, versionName));
    const document = await this.ctx.store.getDocument(scope, name);
    if (!document) throw new InvalidDocument({ name });
    return userView(scope, document, await selectVersion(this.ctx.store, scope, document, version, versionName));
  }

  /** The content of a version, as sent, or converted to `format`. */
  async get(
    scope: Scope,
    name: string,
    options: { version?: string; versionName?: string; format?: string } = {},
  ): Promise<{ document: DocumentView; format: string; content: string }> {
    if (isBuiltIn(name)) {
      const document = findDocument(name, options.version, options.versionName);
      const format = options.format ?? document.documentFormat;
      if (format !== 'JSON' && format !== 'YAML') throw new ValidationException(`Invalid document format ${format}`);
      return { document: builtInView(document), format, content: documentContent(document, format) };
    }
    const document = await this.ctx.store.getDocument(scope, name);
    if (!document) throw new InvalidDocument({ name });
    const version = await selectVersion(this.ctx.store, scope, document, options.version, options.versionName);
    const format = (options.format ?? version.format) as DocumentFormat;
    const content = format === version.format ? version.content : convertContent(version.content, version.format, format);
    return { document: userView(scope, document, version), format, content };
  }

  async listVersions(scope: Scope, name: string, input: { maxResults?: number; nextToken?: string }): Promise<{ versions: DocumentVersionView[]; nextToken?: string }> {
    if (isBuiltIn(name)) {
      const d = findDocument(name);
      if (input.nextToken !== undefined) throw new InvalidNextToken();
      return { versions: [{ name: d.name, version: d.version, createdAt: d.createdAt, isDefault: true, documentFormat: d.documentFormat, status: 'Active' }] };
    }
    const document = await this.ctx.store.getDocument(scope, name);
    if (!document) throw new InvalidDocument({ name });
    const page = await unwrapTokenError(listingPage(this.ctx.tokens, `ListDocumentVersions|${scope.account}|${scope.region}|${name}`,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults, 50, 50) },
      (after, limit) => this.ctx.store.listDocumentVersions(scope, name, after, limit)));
    return {
      versions: page.items.map((v) => ({
        name, displayName: v.displayName, version: String(v.number), versionName: v.versionName, createdAt: v.createdAt,
        isDefault: v.number === document.defaultVersion, documentFormat: v.format, status: v.status,
      })),
      nextToken: page.nextToken,
    };
  }
}
