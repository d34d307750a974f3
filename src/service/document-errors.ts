// The document service's own exceptions (the model's names), with AWS's words where known. Sources are in
// docs/coverage.md, "User documents"; messages marked [I] there are inferred.

import { ServiceError, ValidationException } from '../domain/errors.ts';

/** CreateDocument with a name the account already uses (message: the model's documentation of the error). */
export class DocumentAlreadyExists extends ServiceError {
  readonly documentName: string;
  constructor(documentName: string) {
    super('DocumentAlreadyExists', 'The specified document already exists.');
    this.documentName = documentName;
  }
}

/** UpdateDocument whose content hashes to an existing version's. */
export class DuplicateDocumentContent extends ServiceError {
  readonly documentName: string;
  constructor(documentName: string) {
    super('DuplicateDocumentContent', 'The content of the association document matches another document. Change the content of the document and try again.');
    this.documentName = documentName;
  }
}

export class DuplicateDocumentVersionName extends ServiceError {
  readonly versionName: string;
  constructor(versionName: string) {
    super('DuplicateDocumentVersionName', 'The specified version name is a duplicate.');
    this.versionName = versionName;
  }
}

/** UpdateDocument past the versions a document may have (AWS: 1,000). */
export class DocumentVersionLimitExceeded extends ServiceError {
  readonly limit: number;
  constructor(limit: number) {
    super('DocumentVersionLimitExceeded', 'The document has too many versions. Delete one or more document versions and try again.');
    this.limit = limit;
  }
}

/** CreateDocument past the documents an account may have in a Region. */
export class DocumentLimitExceeded extends ServiceError {
  readonly limit: number;
  constructor(limit: number) {
    super('DocumentLimitExceeded', `You can have at most ${limit} documents.`);
    this.limit = limit;
  }
}

export type RefusedOperation = 'delete-default-version' | 'amazon-document' | 'force-required' | 'shared';

const refusals: Record<RefusedOperation, string> = {
  'delete-default-version': "Default version of the document can't be deleted.",
  'amazon-document': 'You can only delete or change documents you own.',
  'force-required': 'You must specify the Force flag to delete a document of type ApplicationConfigurationSchema.',
  // The model's documentation of InvalidDocumentOperation, which names this very case.
  shared: 'You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.',
};

export class InvalidDocumentOperation extends ServiceError {
  readonly refused: RefusedOperation;
  constructor(refused: RefusedOperation) {
    super('InvalidDocumentOperation', refusals[refused]);
    this.refused = refused;
  }
}

/** A name with a prefix AWS keeps for its own documents. */
export class InvalidDocumentName extends ValidationException {
  readonly documentName: string;
  constructor(documentName: string) {
    super(`Invalid document name ${documentName}`);
    this.documentName = documentName;
  }
}

export type PermissionLimit = 'all-or-accounts' | 'accounts' | 'public';

const permissionLimits: Record<PermissionLimit, (limit: number) => string> = {
  // [I] moto's words for a list that mixes All with account ids.
  'all-or-accounts': () => 'Accounts can either be all or a group of AWS accounts',
  // The model's documentation of DocumentPermissionLimit.
  accounts: () => "The document can't be shared with more Amazon Web Services accounts.",
  // [I] the user guide's limit, in its words.
  public: (limit) => `You can publicly share a maximum of ${limit} SSM documents.`,
};

/** ModifyDocumentPermission past a sharing limit, or mixing All with account ids. */
export class DocumentPermissionLimit extends ServiceError {
  readonly limit: PermissionLimit;
  constructor(limit: PermissionLimit, value = 0) {
    super('DocumentPermissionLimit', permissionLimits[limit](value));
    this.limit = limit;
  }
}
