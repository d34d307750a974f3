// The documents port: the SSM documents an account writes (CreateDocument), one row per (account, Region,
// name) with the document's own facts, and its versions, each with its content exactly as sent. The
// built-in Amazon documents are not stored (domain/documents.ts).

import type { Scope, Tag } from '../../domain/model.ts';
import type { Keyed } from './keyed.ts';

/** One parameter as DescribeDocument renders it (the parser's describedParameters). */
export interface DescribedParameter {
  Name: string;
  Type: string;
  Description?: string;
  DefaultValue?: string;
}

/** One version of a user document: its content as sent and what the content says. */
export interface UserDocumentVersion {
  /** The version number: 1, 2, ... in creation order (the latest one deleted, its number is given again [I]). */
  number: number;
  versionName?: string;
  /** The content exactly as sent, byte for byte. */
  content: string;
  format: 'JSON' | 'YAML' | 'TEXT';
  /** SHA-256 hex of `content`. */
  hash: string;
  createdAt: number;
  status: 'Active';
  displayName?: string;
  targetType?: string;
  documentType: string;
  schemaVersion: string;
  description?: string;
  parameters: DescribedParameter[];
  platformTypes: string[];
  requires?: { name: string; version?: string; requireType?: string; versionName?: string }[];
}

/** A user document: the facts of the whole document, its versions stored apart. */
export interface UserDocument {
  name: string;
  documentType: string;
  createdAt: number;
  defaultVersion: number;
  latestVersion: number;
  tags: Tag[];
}

/** One share of a document (ModifyDocumentPermission): with an account id or 'all', and what version. */
export interface DocumentShare {
  /** A 12-digit account id, or 'all' (shared publicly). */
  sharedWith: string;
  /** '$DEFAULT', '$LATEST' or '$ALL'. */
  sharedVersion: string;
}

/** A document another account shared: its owner and name, and the share that reaches the reader. */
export interface SharedDocument extends DocumentShare {
  owner: string;
  name: string;
}

export interface DocumentsPort {
  /** A new document with its first version. Rejects when the name exists in the scope. */
  /** False, writing nothing, when the name is taken (also by a transaction that committed meanwhile). */
  insertDocument(scope: Scope, document: UserDocument, first: UserDocumentVersion): Promise<boolean>;
  /** Inside a transaction the document is held until the transaction ends (a new version, a delete). */
  getDocument(scope: Scope, name: string): Promise<UserDocument | undefined>;
  updateDocument(scope: Scope, document: UserDocument): Promise<void>;
  /** The document, every version of it and its shares. False when there was none. */
  deleteDocument(scope: Scope, name: string): Promise<boolean>;
  /** In creation order: rows with key > afterKey. */
  listDocuments(scope: Scope, afterKey: number, limit: number): Promise<Keyed<UserDocument>[]>;
  countDocuments(scope: Scope): Promise<number>;

  insertDocumentVersion(scope: Scope, name: string, version: UserDocumentVersion): Promise<void>;
  getDocumentVersion(scope: Scope, name: string, version: number): Promise<UserDocumentVersion | undefined>;
  /** Versions in ascending order, key = version number: rows with version > afterVersion. */
  listDocumentVersions(scope: Scope, name: string, afterVersion: number, limit: number): Promise<Keyed<UserDocumentVersion>[]>;
  deleteDocumentVersion(scope: Scope, name: string, version: number): Promise<boolean>;

  /** The document's shares, in the order each account was first given one. */
  listDocumentShares(scope: Scope, name: string): Promise<DocumentShare[]>;
  /** Shares the document; an account already given a share keeps its place with the new version. */
  putDocumentShare(scope: Scope, name: string, share: DocumentShare): Promise<void>;
  /** False when the document was not shared with `sharedWith`. */
  deleteDocumentShare(scope: Scope, name: string, sharedWith: string): Promise<boolean>;
  /**
   * Documents of other accounts than `reader` in `region` shared with any of `sharedWith` (one or two of:
   * the reader's account id, 'all'), in the order shared: rows with key > afterKey.
   */
  listSharedDocuments(region: string, reader: string, sharedWith: string[], afterKey: number, limit: number): Promise<Keyed<SharedDocument>[]>;
  /** How many of the scope's documents are shared with `sharedWith` ('all': the public ones). */
  countSharedDocuments(scope: Scope, sharedWith: string): Promise<number>;
}
