// The runbook an automation execution runs, found as StartAutomationExecution and a window's AUTOMATION
// task name it: an Amazon runbook of the catalogue (by name or account-less ARN), one of the account's own,
// or one shared with it (by ARN), at a version (none or $DEFAULT, $LATEST, a number). Only Automation
// documents are runbooks. Reads through whatever store it is given (the engine's transaction, or none).

import type { ParsedDocument } from '../domain/document-content.ts';
import { InvalidDocument, InvalidDocumentVersion } from '../domain/documents.ts';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';
import { documentToRun } from './runnable-documents.ts';

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
  const onlyRunbooks = (_name: string, documentType: string) => {
    if (documentType !== 'Automation') throw new AutomationDefinitionNotFound(name);
  };
  try {
    const found = await documentToRun(store, scope, name, version, onlyRunbooks);
    return { name: found.name, version: found.version, document: found.parsed };
  } catch (error) {
    if (error instanceof InvalidDocument) throw new AutomationDefinitionNotFound(name);
    if (error instanceof InvalidDocumentVersion) throw new AutomationDefinitionVersionNotFound(name, version);
    throw error;
  }
}
