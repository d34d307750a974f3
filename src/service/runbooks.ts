// The runbook an automation execution runs, found as StartAutomationExecution and a window's AUTOMATION
// task name it: an Amazon runbook of the catalogue (by name or account-less ARN), one of the account's own,
// or one shared with it (by ARN), at a version (none or $DEFAULT, $LATEST, a number). Only Automation
// documents are runbooks. Reads through whatever store it is given (the engine's transaction, or none).

import type { ParsedDocument } from '../domain/document-content.ts';
import { parseDocumentContent } from '../domain/document-content.ts';
import { findDocument, InvalidDocumentVersion } from '../domain/documents.ts';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';
import { builtInName, reachDocument, selectReachedVersion } from './shared-documents.ts';

export interface FoundRunbook {
  /** The name the execution shows (a shared runbook keeps the ARN it was asked by). */
  name: string;
  /** The version that runs, a number as text. */
  version: string;
  document: ParsedDocument;
}

export class AutomationDefinitionNotFound extends ServiceError {
  constructor(name: string) {
    // [I] the model's exception; AWS's words for it are not recorded.
    super('AutomationDefinitionNotFoundException', `Automation definition ${name} is not found.`);
  }
}

export class AutomationDefinitionVersionNotFound extends ServiceError {
  constructor(name: string, version: string | undefined) {
    super('AutomationDefinitionVersionNotFoundException', `Version ${version ?? '$DEFAULT'} of automation definition ${name} is not found.`);
  }
}

export async function findRunbook(store: StoreOperations, scope: Scope, name: string, version?: string): Promise<FoundRunbook> {
  const amazon = builtInName(name);
  if (amazon !== undefined) {
    let found;
    try {
      found = findDocument(amazon, version);
    } catch (error) {
      if (error instanceof InvalidDocumentVersion) throw new AutomationDefinitionVersionNotFound(name, version);
      throw error;
    }
    if (found.documentType !== 'Automation') throw new AutomationDefinitionNotFound(name);
    return { name: found.name, version: found.version, document: found.parsed };
  }
  const reached = await reachDocument(store, scope, name);
  if (!reached || reached.document.documentType !== 'Automation') throw new AutomationDefinitionNotFound(name);
  let chosen;
  try {
    chosen = await selectReachedVersion(store, reached, version);
  } catch (error) {
    if (error instanceof InvalidDocumentVersion) throw new AutomationDefinitionVersionNotFound(name, version);
    throw error;
  }
  return { name, version: String(chosen.number), document: parseDocumentContent(chosen.content, chosen.format, chosen.documentType) };
}
