// The document a command runs, found as SendCommand and a window's RUN_COMMAND task name it: an Amazon
// document of the catalogue (by name or its account-less ARN), one of the account's own, or one another
// account shares with it (by ARN), at a version (none or $DEFAULT: the default one, $LATEST, or a number).
// Reads through whatever store it is given, so the engine resolves inside its own transaction what
// SendCommand resolves outside one.

import { parseDocumentContent } from '../domain/document-content.ts';
import { findDocument, InvalidDocument } from '../domain/documents.ts';
import type { Scope } from '../domain/model.ts';
import { checkDocumentHash, checkRunnableType, type RunnableDocument } from '../domain/runnable-document.ts';
import type { StoreOperations } from './ports.ts';
import { builtInName, reachDocument, selectReachedVersion } from './shared-documents.ts';

export interface DocumentRequest {
  name: string;
  version?: string;
  hash?: string;
  hashType?: string;
}

/** Refuses a document whose type the caller does not run (it throws); the type is checked before the version. */
export type TypeCheck = (name: string, documentType: string) => void;

/** An Amazon document of the catalogue at a version (none, $DEFAULT, $LATEST or its one version). */
export function catalogueDocument(name: string, version?: string, checkType: TypeCheck = checkRunnableType): RunnableDocument {
  const found = findDocument(name, version);
  checkType(found.name, found.documentType);
  return { name: found.name, version: found.version, content: found.content, builtIn: true, parsed: found.parsed };
}

/**
 * The document `name` reaches at `version`, for Run Command and Automation alike: the catalogue's, the
 * account's own, or a shared one (InvalidDocument, InvalidDocumentVersion, or what `checkType` throws).
 */
export async function documentToRun(store: StoreOperations, scope: Scope, name: string, version: string | undefined, checkType: TypeCheck): Promise<RunnableDocument> {
  const amazon = builtInName(name);
  if (amazon !== undefined) return catalogueDocument(amazon, version, checkType);
  const reached = await reachDocument(store, scope, name);
  if (!reached) throw new InvalidDocument({ name });
  checkType(name, reached.document.documentType);
  const chosen = await selectReachedVersion(store, reached, version);
  return {
    // A shared document keeps the name it was asked by (its ARN), as AWS's Command shows it.
    name, version: String(chosen.number), content: chosen.content, builtIn: false,
    parsed: parseDocumentContent(chosen.content, chosen.format, chosen.documentType),
  };
}

export async function runnableDocument(store: StoreOperations, scope: Scope, request: DocumentRequest): Promise<RunnableDocument> {
  const document = await documentToRun(store, scope, request.name, request.version, checkRunnableType);
  checkDocumentHash(document, request.hash, request.hashType);
  return document;
}
