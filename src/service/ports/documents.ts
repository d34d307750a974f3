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

export interface DocumentsPort {
  /** A new document with its first version. Rejects when the name exists in the scope. */
  /** False, writing nothing, when the name is taken (also by a transaction that committed meanwhile). */
  insertDocument(scope: Scope, document: UserDocument, first: UserDocumentVersion): Promise<boolean>;
  /** Inside a transaction the document is held until the transaction ends (a new version, a delete). */
  getDocument(scope: Scope, name: string): Promise<UserDocument | undefined>;
  updateDocument(scope: Scope, document: UserDocument): Promise<void>;
  /** The document and every version of it. False when there was none. */
  deleteDocument(scope: Scope, name: string): Promise<boolean>;
  /** In creation order: rows with key > afterKey. */
  listDocuments(scope: Scope, afterKey: number, limit: number): Promise<Keyed<UserDocument>[]>;
  countDocuments(scope: Scope): Promise<number>;

  insertDocumentVersion(scope: Scope, name: string, version: UserDocumentVersion): Promise<void>;
  getDocumentVersion(scope: Scope, name: string, version: number): Promise<UserDocumentVersion | undefined>;
  /** Versions in ascending order, key = version number: rows with version > afterVersion. */
  listDocumentVersions(scope: Scope, name: string, afterVersion: number, limit: number): Promise<Keyed<UserDocumentVersion>[]>;
  deleteDocumentVersion(scope: Scope, name: string, version: number): Promise<boolean>;
}
