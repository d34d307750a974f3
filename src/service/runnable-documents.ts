// The document a command runs, found as SendCommand and a window's RUN_COMMAND task name it: an Amazon
// document of the catalogue, or one of the account's own at a version (none or $DEFAULT: the default one,
// $LATEST, or a number). Reads through whatever store it is given, so the engine resolves inside its own
// transaction what SendCommand resolves outside one.

import { type ParsedDocument, parseDocumentContent } from '../domain/document-content.ts';
import { findDocument, InvalidDocument } from '../domain/documents.ts';
import type { Scope } from '../domain/model.ts';
import { checkDocumentHash, checkRunnableType, type RunnableDocument } from '../domain/runnable-document.ts';
import { selectVersion } from './document-views.ts';
import type { StoreOperations } from './ports.ts';
import { isBuiltIn } from './user-documents.ts';

// The catalogue's documents parsed once: their content never changes.
const parsedCatalogue = new Map<string, ParsedDocument>();

function parsedBuiltIn(name: string, content: string, format: string, documentType: string): ParsedDocument {
  let parsed = parsedCatalogue.get(name);
  if (!parsed) parsedCatalogue.set(name, (parsed = parseDocumentContent(content, format as 'JSON' | 'YAML', documentType)));
  return parsed;
}

export interface DocumentRequest {
  name: string;
  version?: string;
  hash?: string;
  hashType?: string;
}

/** An Amazon document of the catalogue at a version (none, $DEFAULT, $LATEST or its one version). */
export function catalogueDocument(name: string, version?: string): RunnableDocument {
  const found = findDocument(name, version);
  const documentType = (found as { documentType?: string }).documentType ?? 'Command';
  checkRunnableType(found.name, documentType);
  return {
    name: found.name, version: found.version, content: found.content, builtIn: true,
    parsed: parsedBuiltIn(found.name, found.content, found.documentFormat, documentType),
  };
}

export async function runnableDocument(store: StoreOperations, scope: Scope, request: DocumentRequest): Promise<RunnableDocument> {
  let document: RunnableDocument;
  if (isBuiltIn(request.name)) {
    document = catalogueDocument(request.name, request.version);
  } else {
    const stored = await store.getDocument(scope, request.name);
    if (!stored) throw new InvalidDocument({ name: request.name });
    checkRunnableType(stored.name, stored.documentType);
    const version = await selectVersion(store, scope, stored, request.version);
    document = {
      name: stored.name, version: String(version.number), content: version.content, builtIn: false,
      parsed: parseDocumentContent(version.content, version.format, version.documentType),
    };
  }
  checkDocumentHash(document, request.hash, request.hashType);
  return document;
}
