// Which document a reader's name reaches: its own account's by name, or another account's by that
// document's ARN (arn:aws:ssm:REGION:ACCOUNT:document/NAME, the form AWS asks for when a shared document is
// described, read or run) when the owner shares it with the reader or with all; and which versions the
// share shows. Sharing stays within a Region, as on AWS.

import type { Scope } from '../domain/model.ts';
import { InvalidDocumentVersion } from '../domain/documents.ts';
import type { DocumentShare } from './ports/documents.ts';
import type { StoreOperations, UserDocument, UserDocumentVersion } from './ports.ts';
import { selectVersion } from './document-views.ts';
import { isBuiltIn } from './user-documents.ts';

/** A document's ARN taken apart; `account` is absent for Amazon's own (arn:aws:ssm:REGION::document/AWS-...). */
export interface DocumentArn {
  region: string;
  account?: string;
  name: string;
}

const ARN = /^arn:aws(?:-[a-z]+)*:ssm:([a-z0-9-]+):([0-9]{12})?:document\/([a-zA-Z0-9_.-]{3,128})$/;

export function parseDocumentArn(name: string): DocumentArn | undefined {
  const match = ARN.exec(name);
  return match ? { region: match[1], account: match[2], name: match[3] } : undefined;
}

/** The Amazon document a name or ARN names (Amazon's ARNs have no account), if it names one. */
export function builtInName(name: string): string | undefined {
  if (isBuiltIn(name)) return name;
  const arn = parseDocumentArn(name);
  return arn && arn.account === undefined && isBuiltIn(arn.name) ? arn.name : undefined;
}

export function documentArn(owner: Scope, name: string): string {
  return `arn:aws:ssm:${owner.region}:${owner.account}:document/${name}`;
}

/** A user document as one reader reaches it: `share` is absent when the reader owns it. */
export interface ReachedDocument {
  owner: Scope;
  document: UserDocument;
  share?: DocumentShare;
}

/** The share that lets `reader` in: one with its own account, or the public one. */
export function shareFor(shares: DocumentShare[], reader: string): DocumentShare | undefined {
  return shares.find((s) => s.sharedWith === reader) ?? shares.find((s) => s.sharedWith === 'all');
}

/** The user document `name` reaches for a reader in `scope`, or undefined (the caller answers InvalidDocument). */
export async function reachDocument(store: StoreOperations, scope: Scope, name: string): Promise<ReachedDocument | undefined> {
  const arn = parseDocumentArn(name);
  if (!arn) {
    const own = await store.getDocument(scope, name);
    return own && { owner: scope, document: own };
  }
  // Another Region's document is never reached: cross-Region sharing is not supported.
  if (arn.region !== scope.region || arn.account === undefined) return undefined;
  const owner = { account: arn.account, region: arn.region };
  const document = await store.getDocument(owner, arn.name);
  if (!document) return undefined;
  if (arn.account === scope.account) return { owner, document };
  const share = shareFor(await store.listDocumentShares(owner, arn.name), scope.account);
  return share && { owner, document, share };
}

/**
 * The versions a share shows and the one a reader gets when it names none. A public share shows every
 * version (AWS's user guide: "If you share a document publicly, all versions ... are shared by default");
 * a private one the owner's default version ($DEFAULT, the default when none was given), its latest
 * ($LATEST) or all of them ($ALL), following the owner's changes [I].
 */
export function shownVersions(document: UserDocument, share: DocumentShare): { shows: (n: number) => boolean; standard: number } {
  if (share.sharedWith === 'all' || share.sharedVersion === '$ALL') return { shows: () => true, standard: document.defaultVersion };
  const only = share.sharedVersion === '$LATEST' ? document.latestVersion : document.defaultVersion;
  return { shows: (n) => n === only, standard: only };
}

/** The version a request names, among those the reader may see (InvalidDocumentVersion for any other). */
export async function selectReachedVersion(
  store: StoreOperations, reached: ReachedDocument, version?: string, versionName?: string,
): Promise<UserDocumentVersion> {
  const { owner, document, share } = reached;
  if (!share) return selectVersion(store, owner, document, version, versionName);
  const shown = shownVersions(document, share);
  const wanted = version === undefined && versionName === undefined ? String(shown.standard) : version;
  const found = await selectVersion(store, owner, document, wanted, versionName);
  if (!shown.shows(found.number)) throw new InvalidDocumentVersion({ name: document.name, version, versionName });
  return found;
}
