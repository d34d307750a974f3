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

/** An Amazon document of the catalogue at a version (none, $DEFAULT, $LATEST or its one version). */
export function catalogueDocument(name: string, version?: string): RunnableDocument {
  const found = findDocument(name, version);
  checkRunnableType(found.name, found.documentType);
  return { name: found.name, version: found.version, content: found.content, builtIn: true, parsed: found.parsed };
}

export async function runnableDocument(store: StoreOperations, scope: Scope, request: DocumentRequest): Promise<RunnableDocument> {
  let document: RunnableDocument;
  const amazon = builtInName(request.name);
  if (amazon !== undefined) {
    document = catalogueDocument(amazon, request.version);
  } else {
    const reached = await reachDocument(store, scope, request.name);
    if (!reached) throw new InvalidDocument({ name: request.name });
    checkRunnableType(request.name, reached.document.documentType);
    const version = await selectReachedVersion(store, reached, request.version);
    document = {
      // A shared document keeps the name it was asked by (its ARN), as AWS's Command shows it.
      name: request.name, version: String(version.number), content: version.content, builtIn: false,
      parsed: parseDocumentContent(version.content, version.format, version.documentType),
    };
  }
  checkDocumentHash(document, request.hash, request.hashType);
  return document;
}
