// A Command document at the version a command runs, with what Run Command needs of it: the parsed steps
// and parameter declarations, and the content the agent gets. Built by the service from the catalogue or
// the account's documents (service/runnable-documents.ts); pure.

import { createHash } from 'node:crypto';
import { ServiceError } from './errors.ts';
import type { ParsedDocument } from './document-content.ts';

export interface RunnableDocument {
  name: string;
  /** The version that runs, as a number in text ('1' for the catalogue's documents). */
  version: string;
  /** The content exactly as stored, for DocumentHash checks. */
  content: string;
  parsed: ParsedDocument;
  /** True for an Amazon document: the agent's message takes its content from the catalogue by name. */
  builtIn: boolean;
}

/**
 * SendCommand's DocumentHash: the hash of the version that runs must be the one the caller names (Sha256 by
 * default; Sha1 is the deprecated other HashType). A different one is InvalidDocument [I: no recorded answer].
 */
export function checkDocumentHash(document: RunnableDocument, hash: string | undefined, hashType: string | undefined): void {
  if (hash === undefined) return;
  const algorithm = hashType === 'Sha1' ? 'sha1' : 'sha256';
  const actual = createHash(algorithm).update(document.content, 'utf8').digest('hex');
  if (actual.toLowerCase() !== hash.toLowerCase()) {
    throw new ServiceError('InvalidDocument', `The hash of document ${document.name} version ${document.version} does not match the DocumentHash given.`);
  }
}

/** Only Command documents run through SendCommand and RUN_COMMAND tasks [I: AWS's words unknown]. */
export function checkRunnableType(name: string, documentType: string): void {
  if (documentType !== 'Command') {
    throw new ServiceError('InvalidDocument', `Document ${name} is of type ${documentType}; SendCommand runs Command documents only.`);
  }
}
