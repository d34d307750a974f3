// ListDocuments, DescribeDocument, GetDocument: AWS names <-> domain names.

import type { BuiltInDocument } from '../domain/documents.ts';
import type { DocumentService } from '../service/documents.ts';
import type { Handler } from '../wire/api.ts';
import { seconds, startingToken } from './mapping.ts';

function identity(document: BuiltInDocument) {
  return {
    Name: document.name,
    CreatedDate: seconds(document.createdAt),
    Owner: document.owner,
    PlatformTypes: [...document.platformTypes],
    DocumentVersion: document.version,
    DocumentType: document.documentType,
    SchemaVersion: document.schemaVersion,
    DocumentFormat: document.documentFormat,
    Tags: [],
  };
}

export function documentHandlers(documents: DocumentService) {
  const ListDocuments: Handler<'ListDocuments'> = async (input) => {
    const page = await documents.list({
      filters: input.Filters?.map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })),
      legacyFilters: input.DocumentFilterList?.map((f) => ({ key: f.key, value: f.value })),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return { DocumentIdentifiers: page.documents.map(identity), NextToken: page.nextToken };
  };

  const DescribeDocument: Handler<'DescribeDocument'> = async (input) => {
    const document = await documents.describe(input.Name, input.DocumentVersion, input.VersionName);
    return {
      Document: {
        Hash: document.hash,
        HashType: 'Sha256',
        Name: document.name,
        Owner: document.owner,
        CreatedDate: seconds(document.createdAt),
        Status: 'Active',
        DocumentVersion: document.version,
        Description: document.description,
        Parameters: document.parameters.map((p) => ({
          Name: p.name,
          Type: p.type,
          Description: p.description,
          DefaultValue: p.defaultValue,
        })),
        PlatformTypes: [...document.platformTypes],
        DocumentType: document.documentType,
        SchemaVersion: document.schemaVersion,
        LatestVersion: document.version,
        DefaultVersion: document.version,
        DocumentFormat: document.documentFormat,
        Tags: [],
      },
    };
  };

  const GetDocument: Handler<'GetDocument'> = async (input) => {
    const { document, format, content } = await documents.get(input.Name, {
      version: input.DocumentVersion,
      versionName: input.VersionName,
      format: input.DocumentFormat,
    });
    return {
      Name: document.name,
      CreatedDate: seconds(document.createdAt),
      DocumentVersion: document.version,
      Status: 'Active',
      Content: content,
      DocumentType: document.documentType,
      DocumentFormat: format,
    };
  };

  return { ListDocuments, DescribeDocument, GetDocument };
}
