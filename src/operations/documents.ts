// The document operations: CreateDocument, UpdateDocument, UpdateDocumentDefaultVersion, DeleteDocument,
// ListDocuments, ListDocumentVersions, DescribeDocument, GetDocument, ModifyDocumentPermission,
// DescribeDocumentPermission. AWS names <-> domain names.

import type { DocumentFormat } from '../domain/document-content.ts';
import type { DocumentService, DocumentView } from '../service/documents.ts';
import type { Handler } from '../wire/api.ts';
import type * as Wire from '../wire/generated/types.ts';
import { seconds, startingToken } from './mapping.ts';

function tagsOut(view: DocumentView): Wire.Tag[] {
  return view.tags.map((t) => ({ Key: t.key, Value: t.value }));
}

function requiresOut(view: DocumentView): Wire.DocumentRequires[] | undefined {
  return view.requires?.map((r) => ({ Name: r.name, Version: r.version, RequireType: r.requireType, VersionName: r.versionName }));
}

function identity(view: DocumentView): Wire.DocumentIdentifier {
  return {
    Name: view.name,
    CreatedDate: seconds(view.createdAt),
    DisplayName: view.displayName,
    Owner: view.owner,
    VersionName: view.versionName,
    PlatformTypes: view.platformTypes as Wire.PlatformType[],
    DocumentVersion: view.version,
    DocumentType: view.documentType as Wire.DocumentType,
    SchemaVersion: view.schemaVersion,
    DocumentFormat: view.documentFormat as Wire.DocumentFormat,
    TargetType: view.targetType,
    Tags: tagsOut(view),
    Requires: requiresOut(view),
  };
}

export function describedDocument(view: DocumentView): Wire.DocumentDescription {
  return {
    Hash: view.hash,
    HashType: 'Sha256',
    Name: view.name,
    DisplayName: view.displayName,
    VersionName: view.versionName,
    Owner: view.owner,
    CreatedDate: seconds(view.createdAt),
    Status: view.status,
    DocumentVersion: view.version,
    Description: view.description,
    Parameters: view.parameters.map((p) => ({
      Name: p.Name,
      Type: p.Type as Wire.DocumentParameterType,
      Description: p.Description,
      DefaultValue: p.DefaultValue,
    })),
    PlatformTypes: view.platformTypes as Wire.PlatformType[],
    DocumentType: view.documentType as Wire.DocumentType,
    SchemaVersion: view.schemaVersion,
    LatestVersion: view.latestVersion,
    DefaultVersion: view.defaultVersion,
    DocumentFormat: view.documentFormat as Wire.DocumentFormat,
    TargetType: view.targetType,
    Tags: tagsOut(view),
    Requires: requiresOut(view),
  };
}

export function documentHandlers(documents: DocumentService) {
  const CreateDocument: Handler<'CreateDocument'> = async (input, { scope }) => {
    const view = await documents.create(scope, {
      name: input.Name,
      content: input.Content,
      format: input.DocumentFormat as DocumentFormat | undefined,
      documentType: input.DocumentType,
      versionName: input.VersionName,
      displayName: input.DisplayName,
      targetType: input.TargetType,
      requires: input.Requires?.map((r) => ({ name: r.Name, version: r.Version, requireType: r.RequireType, versionName: r.VersionName })),
      tags: input.Tags?.map((t) => ({ key: t.Key, value: t.Value })),
    });
    return { DocumentDescription: describedDocument(view) };
  };

  const UpdateDocument: Handler<'UpdateDocument'> = async (input, { scope }) => {
    const view = await documents.update(scope, {
      name: input.Name,
      content: input.Content,
      format: input.DocumentFormat as DocumentFormat | undefined,
      documentVersion: input.DocumentVersion,
      versionName: input.VersionName,
      displayName: input.DisplayName,
      targetType: input.TargetType,
    });
    return { DocumentDescription: describedDocument(view) };
  };

  const UpdateDocumentDefaultVersion: Handler<'UpdateDocumentDefaultVersion'> = async (input, { scope }) => {
    const out = await documents.setDefaultVersion(scope, input.Name, input.DocumentVersion);
    return { Description: { Name: out.name, DefaultVersion: out.defaultVersion, DefaultVersionName: out.defaultVersionName } };
  };

  const DeleteDocument: Handler<'DeleteDocument'> = async (input, { scope }) => {
    await documents.delete(scope, { name: input.Name, version: input.DocumentVersion, versionName: input.VersionName, force: input.Force });
    return {};
  };

  const ListDocuments: Handler<'ListDocuments'> = async (input, { scope }) => {
    const page = await documents.list(scope, {
      filters: input.Filters?.map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })),
      legacyFilters: input.DocumentFilterList?.map((f) => ({ key: f.key, value: f.value })),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return { DocumentIdentifiers: page.documents.map(identity), NextToken: page.nextToken };
  };

  const ListDocumentVersions: Handler<'ListDocumentVersions'> = async (input, { scope }) => {
    const page = await documents.listVersions(scope, input.Name, { maxResults: input.MaxResults, nextToken: startingToken(input.NextToken) });
    return {
      DocumentVersions: page.versions.map((v) => ({
        Name: v.name,
        DisplayName: v.displayName,
        DocumentVersion: v.version,
        VersionName: v.versionName,
        CreatedDate: seconds(v.createdAt),
        IsDefaultVersion: v.isDefault,
        DocumentFormat: v.documentFormat as Wire.DocumentFormat,
        Status: v.status,
      })),
      NextToken: page.nextToken,
    };
  };

  const DescribeDocument: Handler<'DescribeDocument'> = async (input, { scope }) => {
    return { Document: describedDocument(await documents.describe(scope, input.Name, input.DocumentVersion, input.VersionName)) };
  };

  const GetDocument: Handler<'GetDocument'> = async (input, { scope }) => {
    const { document, format, content } = await documents.get(scope, input.Name, {
      version: input.DocumentVersion,
      versionName: input.VersionName,
      format: input.DocumentFormat,
    });
    return {
      Name: document.name,
      CreatedDate: seconds(document.createdAt),
      DisplayName: document.displayName,
      VersionName: document.versionName,
      DocumentVersion: document.version,
      Status: document.status,
      Content: content,
      DocumentType: document.documentType as Wire.DocumentType,
      DocumentFormat: format as Wire.DocumentFormat,
      Requires: requiresOut(document),
    };
  };

  const ModifyDocumentPermission: Handler<'ModifyDocumentPermission'> = async (input, { scope }) => {
    // PermissionType can only be Share: the model's enum is checked before the handler runs.
    await documents.modifyPermission(scope, {
      name: input.Name,
      add: input.AccountIdsToAdd,
      remove: input.AccountIdsToRemove,
      sharedVersion: input.SharedDocumentVersion,
    });
    return {};
  };

  const DescribeDocumentPermission: Handler<'DescribeDocumentPermission'> = async (input, { scope }) => {
    const page = await documents.describePermission(scope, input.Name, { maxResults: input.MaxResults, nextToken: startingToken(input.NextToken) });
    return {
      AccountIds: page.shares.map((s) => s.sharedWith),
      AccountSharingInfoList: page.shares.map((s) => ({ AccountId: s.sharedWith, SharedDocumentVersion: s.sharedVersion })),
      NextToken: page.nextToken,
    };
  };

  return {
    CreateDocument, UpdateDocument, UpdateDocumentDefaultVersion, DeleteDocument, ListDocuments, ListDocumentVersions, DescribeDocument, GetDocument,
    ModifyDocumentPermission, DescribeDocumentPermission,
  };
}
