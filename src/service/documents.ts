// Use cases that read SSM documents: ListDocuments, DescribeDocument, GetDocument, ListDocumentVersions,
// over the built-in catalog (src/domain/documents.ts, the same in every account and Region), the
// documents the caller's account wrote (the documents port; written by user-documents.ts) and those other
// accounts share with it (named by their ARN; shared-documents.ts). Sharing itself: document-permissions.ts.

import { convertContent, type DocumentFormat } from '../domain/document-content.ts';
import { builtInDocuments, documentContent, findDocument, InvalidDocument } from '../domain/documents.ts';
import { InvalidNextToken, ValidationException } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';
import { pageSize } from './context.ts';
import { DocumentPermissions, type ModifyPermissionInput } from './document-permissions.ts';
import {
  builtInView,
  type DocumentKeyValue,
  type DocumentKeyValues,
  type DocumentView,
  keyValuePredicate,
  keyValuesPredicate,
  sharedView,
  userView,
} from './document-views.ts';
import { listingPage, withInvalidNextToken } from './keyset-pages.ts';
import type { DocumentShare } from './ports/documents.ts';
import type { Keyed, StoreOperations, UserDocumentVersion } from './ports.ts';
import { builtInName, documentArn, type ReachedDocument, reachDocument, selectReachedVersion, shownVersions } from './shared-documents.ts';
import { type NewDocumentInput, type UpdateDocumentInput, UserDocuments } from './user-documents.ts';

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
// account's documents in creation order (their store key after this offset), then the documents shared
// with it in the order shared (their share's key after the second offset; 2^50 leaves both ranges room).
const USER_KEYS = 1_000_000;
const SHARED_KEYS = 2 ** 50;

/** A reached document at one version, as the reader sees it. */
function readerView(reached: ReachedDocument, version: UserDocumentVersion): DocumentView {
  const { owner, document, share } = reached;
  if (!share) return userView(owner, document, version);
  return sharedView(owner, document, version, documentArn(owner, document.name), share.sharedWith === 'all' ? 'Public' : 'Private');
}

async function reached(store: StoreOperations, scope: Scope, name: string): Promise<ReachedDocument> {
  const found = await reachDocument(store, scope, name);
  if (!found) throw new InvalidDocument({ name });
  return found;
}


export class DocumentService {
  private readonly ctx: ServiceContext;
  private readonly writes: UserDocuments;
  private readonly permissions: DocumentPermissions;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
    this.writes = new UserDocuments(ctx);
    this.permissions = new DocumentPermissions(ctx);
  }

  modifyPermission(scope: Scope, input: ModifyPermissionInput): Promise<void> {
    return this.permissions.modify(scope, input);
  }

  describePermission(scope: Scope, name: string, input: { maxResults?: number; nextToken?: string }): Promise<{ shares: DocumentShare[]; nextToken?: string }> {
    return withInvalidNextToken(this.permissions.describe(scope, name, input));
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
      const stored = after >= SHARED_KEYS ? [] : await store.listDocuments(scope, Math.max(0, after - USER_KEYS), limit - rows.length);
      for (const row of stored) {
        const version = await store.getDocumentVersion(scope, row.item.name, row.item.defaultVersion);
        if (version) rows.push({ key: USER_KEYS + row.key, item: userView(scope, row.item, version) });
      }
      if (rows.length === limit) return rows;
      const shares = await store.listSharedDocuments(scope.region, scope.account, [scope.account, 'all'], Math.max(0, after - SHARED_KEYS), limit - rows.length);
      for (const row of shares) {
        const owner = { account: row.item.owner, region: scope.region };
        const document = await store.getDocument(owner, row.item.name);
        const version = document && await store.getDocumentVersion(owner, document.name, shownVersions(document, row.item).standard);
        if (document && version) rows.push({ key: SHARED_KEYS + row.key, item: readerView({ owner, document, share: row.item }, version) });
      }
      return rows;
    };
    const page = await withInvalidNextToken(listingPage(this.ctx.tokens, `ListDocuments|${scope.account}|${scope.region}`,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults, 50, 50) }, fetch, accept));
    return { documents: page.items, nextToken: page.nextToken };
  }

  /** The document at the version asked for (the default one when none is); another account's by its ARN. */
  async describe(scope: Scope, name: string, version?: string, versionName?: string): Promise<DocumentView> {
    const amazon = builtInName(name);
    if (amazon) return builtInView(findDocument(amazon, version, versionName));
    const found = await reached(this.ctx.store, scope, name);
    return readerView(found, await selectReachedVersion(this.ctx.store, found, version, versionName));
  }

  /** The content of a version, as sent, or converted to `format`; another account's document by its ARN. */
  async get(
    scope: Scope,
    name: string,
    options: { version?: string; versionName?: string; format?: string } = {},
  ): Promise<{ document: DocumentView; format: string; content: string }> {
    const amazon = builtInName(name);
    if (amazon) {
      const document = findDocument(amazon, options.version, options.versionName);
      const format = options.format ?? document.documentFormat;
      if (format !== 'JSON' && format !== 'YAML') throw new ValidationException(`Invalid document format ${format}`);
      return { document: builtInView(document), format, content: documentContent(document, format) };
    }
    const found = await reached(this.ctx.store, scope, name);
    const version = await selectReachedVersion(this.ctx.store, found, options.version, options.versionName);
    const format = (options.format ?? version.format) as DocumentFormat;
    const content = format === version.format ? version.content : convertContent(version.content, version.format, format);
    return { document: readerView(found, version), format, content };
  }

  async listVersions(scope: Scope, name: string, input: { maxResults?: number; nextToken?: string }): Promise<{ versions: DocumentVersionView[]; nextToken?: string }> {
    const amazon = builtInName(name);
    if (amazon) {
      const d = findDocument(amazon);
      if (input.nextToken !== undefined) throw new InvalidNextToken();
      return { versions: [{ name: d.name, version: d.version, createdAt: d.createdAt, isDefault: true, documentFormat: d.documentFormat, status: 'Active' }] };
    }
    const found = await reached(this.ctx.store, scope, name);
    const { owner, document, share } = found;
    // A share shows only its versions [I]; the reader names the document as it was asked for.
    const shows = share ? shownVersions(document, share).shows : () => true;
    const shownName = share ? documentArn(owner, document.name) : document.name;
    const page = await withInvalidNextToken(listingPage(this.ctx.tokens, `ListDocumentVersions|${scope.account}|${scope.region}|${name}`,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults, 50, 50) },
      (after, limit) => this.ctx.store.listDocumentVersions(owner, document.name, after, limit), (v) => shows(v.number)));
    return {
      versions: page.items.map((v) => ({
        name: shownName, displayName: v.displayName, version: String(v.number), versionName: v.versionName, createdAt: v.createdAt,
        isDefault: v.number === document.defaultVersion, documentFormat: v.format, status: v.status,
      })),
      nextToken: page.nextToken,
    };
  }
}
