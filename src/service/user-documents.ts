// Use cases that write the documents an account owns: CreateDocument, UpdateDocument (a new version),
// UpdateDocumentDefaultVersion, DeleteDocument (the document, or one version). The content is checked by
// the parser (domain/document-content.ts) and kept exactly as sent; its SHA-256 is the version's Hash.
// Documents become Active at once: AWS shows Creating/Updating first, this service is synchronous.

import { createHash } from 'node:crypto';
import { type DocumentFormat, describedParameters, parseDocumentContent } from '../domain/document-content.ts';
import { builtInDocuments, InvalidDocument, InvalidDocumentVersion } from '../domain/documents.ts';
import { TooManyTagsError } from '../domain/errors.ts';
import type { Scope, Tag } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';
import {
  DocumentAlreadyExists,
  DocumentLimitExceeded,
  DocumentVersionLimitExceeded,
  DuplicateDocumentContent,
  DuplicateDocumentVersionName,
  InvalidDocumentName,
  InvalidDocumentOperation,
} from './document-errors.ts';
import { allVersions, selectVersion, type DocumentView, userView } from './document-views.ts';
import type { StoreOperations, UserDocument, UserDocumentVersion } from './ports.ts';

/** Versions one document may have (AWS: 1,000; DocumentVersionLimitExceeded past it). */
export const VERSIONS_PER_DOCUMENT = 1000;

// AWS keeps these prefixes for its own documents (CreateDocument's Name member in the API reference:
// aws, amazon, amzn, AWSEC2, AWSConfigRemediation, AWSSupport). aws, amazon and amzn in any case [I];
// "aws" with its hyphen, as an AWS reviewer put it (aws-cloudformation-resource-providers-ssm#47).
const RESERVED_ANY_CASE = ['aws-', 'amazon', 'amzn'];
const RESERVED = ['AWSEC2', 'AWSConfigRemediation', 'AWSSupport'];

export function isBuiltIn(name: string): boolean {
  return builtInDocuments.some((d) => d.name === name);
}

export interface NewDocumentInput {
  name: string;
  content: string;
  format?: DocumentFormat;
  documentType?: string;
  versionName?: string;
  displayName?: string;
  targetType?: string;
  requires?: UserDocumentVersion['requires'];
  tags?: Tag[];
}

export interface UpdateDocumentInput {
  name: string;
  content: string;
  format?: DocumentFormat;
  /** `$LATEST` or the latest version's number; the latest when absent. */
  documentVersion?: string;
  versionName?: string;
  displayName?: string;
  targetType?: string;
}

function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** A version of `content`, parsed (the parser throws AWS's exception for a wrong document). */
function newVersion(number: number, input: Omit<NewDocumentInput, 'name' | 'tags'>, documentType: string, now: number): UserDocumentVersion {
  const format = input.format ?? 'JSON';
  const parsed = parseDocumentContent(input.content, format, documentType);
  return {
    number, versionName: input.versionName, content: input.content, format, hash: sha256(input.content), createdAt: now,
    status: 'Active', displayName: input.displayName, targetType: input.targetType, documentType,
    schemaVersion: parsed.schemaVersion, description: parsed.description, parameters: describedParameters(parsed),
    platformTypes: [...parsed.platformTypes], requires: input.requires,
  };
}

async function ownDocument(tx: StoreOperations, scope: Scope, name: string): Promise<UserDocument> {
  if (isBuiltIn(name)) throw new InvalidDocumentOperation('amazon-document');
  const document = await tx.getDocument(scope, name);
  if (!document) throw new InvalidDocument({ name });
  return document;
}

export class UserDocuments {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  async create(scope: Scope, input: NewDocumentInput): Promise<DocumentView> {
    const lower = input.name.toLowerCase();
    if (RESERVED_ANY_CASE.some((p) => lower.startsWith(p)) || RESERVED.some((p) => input.name.startsWith(p))) {
      throw new InvalidDocumentName(input.name);
    }
    const tags = input.tags ?? [];
    if (tags.length > this.ctx.quotas.tagsPerResource) throw new TooManyTagsError(this.ctx.quotas.tagsPerResource);
    const now = this.ctx.clock.now();
    const documentType = input.documentType ?? 'Command';
    const first = newVersion(1, input, documentType, now);
    const document: UserDocument = { name: input.name, documentType, createdAt: now, defaultVersion: 1, latestVersion: 1, tags };
    await this.ctx.store.transaction(async (tx) => {
      if (await tx.getDocument(scope, input.name)) throw new DocumentAlreadyExists(input.name);
      const limit = this.ctx.quotas.documentsPerRegion;
      if ((await tx.countDocuments(scope)) >= limit) throw new DocumentLimitExceeded(limit);
      if (!(await tx.insertDocument(scope, document, first))) throw new DocumentAlreadyExists(input.name);
    });
    return userView(scope, document, first);
  }

  async update(scope: Scope, input: UpdateDocumentInput): Promise<DocumentView> {
    return this.ctx.store.transaction(async (tx) => {
      const document = await ownDocument(tx, scope, input.name);
      const wanted = input.documentVersion;
      if (wanted !== undefined && wanted !== '$LATEST' && wanted !== String(document.latestVersion)) {
        throw new InvalidDocumentVersion({ name: input.name, version: wanted });
      }
      const versions = await allVersions(tx, scope, input.name);
      if (input.versionName !== undefined && versions.some((v) => v.versionName === input.versionName)) {
        throw new DuplicateDocumentVersionName(input.versionName);
      }
      const latest = versions.find((v) => v.number === document.latestVersion);
      const next = newVersion(document.latestVersion + 1, {
        ...input,
        // What the request leaves out is the latest version's [I].
        displayName: input.displayName ?? latest?.displayName,
        targetType: input.targetType ?? latest?.targetType,
        requires: latest?.requires,
      }, document.documentType, this.ctx.clock.now());
      if (versions.some((v) => v.hash === next.hash)) throw new DuplicateDocumentContent(input.name);
      if (versions.length >= VERSIONS_PER_DOCUMENT) throw new DocumentVersionLimitExceeded(VERSIONS_PER_DOCUMENT);
      const updated = { ...document, latestVersion: next.number };
      await tx.insertDocumentVersion(scope, input.name, next);
      await tx.updateDocument(scope, updated);
      return userView(scope, updated, next);
    });
  }

  async setDefaultVersion(scope: Scope, name: string, version: string): Promise<{ name: string; defaultVersion: string; defaultVersionName?: string }> {
    return this.ctx.store.transaction(async (tx) => {
      const document = await ownDocument(tx, scope, name);
      const found = /^[1-9][0-9]*$/.test(version) ? await tx.getDocumentVersion(scope, name, Number(version)) : undefined;
      if (!found) throw new InvalidDocumentVersion({ name, version });
      await tx.updateDocument(scope, { ...document, defaultVersion: found.number });
      return { name, defaultVersion: String(found.number), defaultVersionName: found.versionName };
    });
  }

  /** The whole document, or the one version named (never the default version alone). */
  async delete(scope: Scope, input: { name: string; version?: string; versionName?: string; force?: boolean }): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      const document = await ownDocument(tx, scope, input.name);
      if (document.documentType === 'ApplicationConfigurationSchema' && !input.force) throw new InvalidDocumentOperation('force-required');
      if (input.version === undefined && input.versionName === undefined) {
        // One version may go while the document is shared [I]; the whole document only once it is not.
        if ((await tx.listDocumentShares(scope, input.name)).length > 0) throw new InvalidDocumentOperation('shared');
        await tx.deleteDocument(scope, input.name);
        return;
      }
      const doomed = await selectVersion(tx, scope, document, input.version, input.versionName);
      if (doomed.number === document.defaultVersion) throw new InvalidDocumentOperation('delete-default-version');
      await tx.deleteDocumentVersion(scope, input.name, doomed.number);
      if (doomed.number === document.latestVersion) {
        const remaining = await allVersions(tx, scope, input.name);
        await tx.updateDocument(scope, { ...document, latestVersion: Math.max(...remaining.map((v) => v.number)) });
      }
    });
  }
}
