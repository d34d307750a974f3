// Use cases of document sharing: ModifyDocumentPermission (share a document the account owns with other
// accounts of this service, or with all) and DescribeDocumentPermission (who it is shared with, and which
// version). What a reader then reaches is shared-documents.ts.

import { InvalidDocument } from '../domain/documents.ts';
import { ValidationException } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import { pageSize, type ServiceContext } from './context.ts';
import { DocumentPermissionLimit } from './document-errors.ts';
import { listingPage } from './keyset-pages.ts';
import type { DocumentShare } from './ports/documents.ts';
import type { StoreOperations } from './ports.ts';
import { isBuiltIn } from './user-documents.ts';

/** Accounts one document may be shared with (AWS's user guide: 1,000). */
export const ACCOUNTS_PER_DOCUMENT = 1000;
/** Documents one account may share publicly (AWS's user guide: five). */
export const PUBLIC_DOCUMENTS = 5;

export interface ModifyPermissionInput {
  name: string;
  add?: string[];
  remove?: string[];
  /** $DEFAULT (when absent), $LATEST or $ALL: what the accounts added see. */
  sharedVersion?: string;
}

/** `all` in any case (the model's pattern is (?i)all|[0-9]{12}) is kept as AWS shows it: `all`. */
function normalized(ids: string[] | undefined): string[] {
  const list = [...new Set((ids ?? []).map((id) => (id.toLowerCase() === 'all' ? 'all' : id)))];
  if (list.includes('all') && list.length > 1) throw new DocumentPermissionLimit('all-or-accounts');
  return list;
}

async function ownedDocument(tx: StoreOperations, scope: Scope, name: string): Promise<void> {
  // Amazon's documents are everyone's already; only the owner shares a document.
  if (isBuiltIn(name) || !(await tx.getDocument(scope, name))) throw new InvalidDocument({ name });
}

export class DocumentPermissions {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  /**
   * Adds, then removes (a removal wins over an add of the same id, as the API reference says). A document
   * is shared publicly or privately, never both: sharing with all drops the accounts, sharing with an
   * account drops all [I]; removing all stops every share [I].
   */
  async modify(scope: Scope, input: ModifyPermissionInput): Promise<void> {
    // [I] words: the API reference says one of the two must be given, not how a request without is refused.
    if (input.add === undefined && input.remove === undefined) {
      throw new ValidationException('You must specify AccountIdsToAdd or AccountIdsToRemove.');
    }
    const remove = normalized(input.remove);
    const add = normalized(input.add).filter((id) => !remove.includes(id));
    const sharedVersion = input.sharedVersion ?? '$DEFAULT';
    await this.ctx.store.transaction(async (tx) => {
      await ownedDocument(tx, scope, input.name);
      let shares = await tx.listDocumentShares(scope, input.name);
      const drop = async (share: DocumentShare) => { await tx.deleteDocumentShare(scope, input.name, share.sharedWith); };
      if (add.includes('all')) {
        const isPublic = shares.some((s) => s.sharedWith === 'all');
        if (!isPublic && (await tx.countSharedDocuments(scope, 'all')) >= PUBLIC_DOCUMENTS) throw new DocumentPermissionLimit('public', PUBLIC_DOCUMENTS);
        for (const share of shares.filter((s) => s.sharedWith !== 'all')) await drop(share);
        await tx.putDocumentShare(scope, input.name, { sharedWith: 'all', sharedVersion });
      } else if (add.length > 0) {
        for (const share of shares.filter((s) => s.sharedWith === 'all')) await drop(share);
        shares = shares.filter((s) => s.sharedWith !== 'all');
        const accounts = new Set([...shares.map((s) => s.sharedWith), ...add]);
        if (accounts.size > ACCOUNTS_PER_DOCUMENT) throw new DocumentPermissionLimit('accounts');
        for (const account of add) await tx.putDocumentShare(scope, input.name, { sharedWith: account, sharedVersion });
      }
      if (remove.includes('all')) {
        for (const share of await tx.listDocumentShares(scope, input.name)) await drop(share);
      } else {
        for (const account of remove) await tx.deleteDocumentShare(scope, input.name, account);
      }
    });
  }

  /** The document's shares in the order given: the whole list unless MaxResults asks for pages. */
  async describe(scope: Scope, name: string, input: { maxResults?: number; nextToken?: string }): Promise<{ shares: DocumentShare[]; nextToken?: string }> {
    await ownedDocument(this.ctx.store, scope, name);
    const all = await this.ctx.store.listDocumentShares(scope, name);
    const keyed = all.map((item, index) => ({ key: index + 1, item }));
    const page = await listingPage(this.ctx.tokens, `DescribeDocumentPermission|${scope.account}|${scope.region}|${name}`,
      { nextToken: input.nextToken, pageSize: pageSize(input.maxResults, ACCOUNTS_PER_DOCUMENT, ACCOUNTS_PER_DOCUMENT) },
      async (after, limit) => keyed.filter((row) => row.key > after).slice(0, limit));
    return { shares: page.items, nextToken: page.nextToken };
  }
}
