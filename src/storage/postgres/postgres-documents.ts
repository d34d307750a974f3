// The documents port on PostgreSQL: user documents and their versions. Inside a transaction a document
// read is locked until it ends (FOR UPDATE), so a new version, a new default or a delete take turns.
// A transaction that touches a document holds nothing else (postgres-store.ts's lock order).

import type { DocumentsPort, UserDocument, UserDocumentVersion } from '../../service/ports.ts';
import type { DocumentShare, SharedDocument } from '../../service/ports/documents.ts';
import { keyed, parsed, type Row } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';

const insertDocument = statement('insert_document', 'INSERT INTO documents (account, region, id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (account, region, id) DO NOTHING');
const selectDocument = statement('select_document', 'SELECT doc FROM documents WHERE account = $1 AND region = $2 AND id = $3');
const selectDocumentForUpdate = statement('select_document_for_update', 'SELECT doc FROM documents WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const updateDocument = statement('update_document', 'UPDATE documents SET doc = $4 WHERE account = $1 AND region = $2 AND id = $3');
const deleteDocument = statement('delete_document', 'DELETE FROM documents WHERE account = $1 AND region = $2 AND id = $3');
const deleteAllVersions = statement('delete_document_versions', 'DELETE FROM document_versions WHERE account = $1 AND region = $2 AND name = $3');
const listDocuments = statement('list_documents', 'SELECT seq, doc FROM documents WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');
const countDocuments = statement('count_documents', 'SELECT COUNT(*) AS n FROM documents WHERE account = $1 AND region = $2');
const insertVersion = statement('insert_document_version', 'INSERT INTO document_versions (account, region, name, version, doc) VALUES ($1, $2, $3, $4, $5)');
const selectVersion = statement('select_document_version', 'SELECT doc FROM document_versions WHERE account = $1 AND region = $2 AND name = $3 AND version = $4');
const listVersions = statement('list_document_versions', 'SELECT version AS seq, doc FROM document_versions WHERE account = $1 AND region = $2 AND name = $3 AND version > $4 ORDER BY version LIMIT $5');
const deleteVersion = statement('delete_document_version', 'DELETE FROM document_versions WHERE account = $1 AND region = $2 AND name = $3 AND version = $4');
const listShares = statement('list_document_shares', 'SELECT shared_with, shared_version FROM document_permissions WHERE account = $1 AND region = $2 AND name = $3 ORDER BY seq');
const putShare = statement('put_document_share', 'INSERT INTO document_permissions (account, region, name, shared_with, shared_version) VALUES ($1, $2, $3, $4, $5) '
  + 'ON CONFLICT (account, region, name, shared_with) DO UPDATE SET shared_version = excluded.shared_version');
const deleteShare = statement('delete_document_share', 'DELETE FROM document_permissions WHERE account = $1 AND region = $2 AND name = $3 AND shared_with = $4');
const deleteAllShares = statement('delete_document_shares', 'DELETE FROM document_permissions WHERE account = $1 AND region = $2 AND name = $3');
const listShared = statement('list_shared_documents', 'SELECT seq, account, name, shared_with, shared_version FROM document_permissions '
  + 'WHERE region = $1 AND shared_with IN ($2, $3) AND account <> $4 AND seq > $5 ORDER BY seq LIMIT $6');
const countShared = statement('count_shared_documents', 'SELECT COUNT(*) AS n FROM document_permissions WHERE account = $1 AND region = $2 AND shared_with = $3');

function share(row: Row): DocumentShare {
  return { sharedWith: String(row.shared_with), sharedVersion: String(row.shared_version) };
}

export function postgresDocuments(session: Session, inTransaction: boolean): DocumentsPort {
  return {
    async insertDocument(scope, document, first) {
      // The document row goes first: a name another transaction took meanwhile (two CreateDocument calls
      // racing) inserts nothing, and no version is written.
      const inserted = await insertDocument(session, [scope.account, scope.region, document.name, JSON.stringify(document)]);
      if (inserted.rowCount === 0) return false;
      await insertVersion(session, [scope.account, scope.region, document.name, first.number, JSON.stringify(first)]);
      return true;
    },

    async getDocument(scope, name) {
      const read = inTransaction ? selectDocumentForUpdate : selectDocument;
      return parsed<UserDocument>((await read(session, [scope.account, scope.region, name])).rows[0]);
    },

    async updateDocument(scope, document) {
      await updateDocument(session, [scope.account, scope.region, document.name, JSON.stringify(document)]);
    },

    async deleteDocument(scope, name) {
      await deleteAllVersions(session, [scope.account, scope.region, name]);
      await deleteAllShares(session, [scope.account, scope.region, name]);
      return ((await deleteDocument(session, [scope.account, scope.region, name])).rowCount ?? 0) > 0;
    },

    async listDocuments(scope, afterKey, limit) {
      return keyed<UserDocument>((await listDocuments(session, [scope.account, scope.region, afterKey, limit])).rows);
    },

    async countDocuments(scope) {
      return Number((await countDocuments(session, [scope.account, scope.region])).rows[0].n);
    },

    async insertDocumentVersion(scope, name, version) {
      await insertVersion(session, [scope.account, scope.region, name, version.number, JSON.stringify(version)]);
    },

    async getDocumentVersion(scope, name, version) {
      return parsed<UserDocumentVersion>((await selectVersion(session, [scope.account, scope.region, name, version])).rows[0]);
    },

    async listDocumentVersions(scope, name, afterVersion, limit) {
      return keyed<UserDocumentVersion>((await listVersions(session, [scope.account, scope.region, name, afterVersion, limit])).rows);
    },

    async deleteDocumentVersion(scope, name, version) {
      return ((await deleteVersion(session, [scope.account, scope.region, name, version])).rowCount ?? 0) > 0;
    },

    async listDocumentShares(scope, name) {
      return (await listShares(session, [scope.account, scope.region, name])).rows.map(share);
    },

    async putDocumentShare(scope, name, given) {
      await putShare(session, [scope.account, scope.region, name, given.sharedWith, given.sharedVersion]);
    },

    async deleteDocumentShare(scope, name, sharedWith) {
      return ((await deleteShare(session, [scope.account, scope.region, name, sharedWith])).rowCount ?? 0) > 0;
    },

    async listSharedDocuments(region, reader, sharedWith, afterKey, limit) {
      const rows = (await listShared(session, [region, sharedWith[0], sharedWith[1] ?? sharedWith[0], reader, afterKey, limit])).rows;
      return rows.map((row) => ({ key: Number(row.seq), item: { owner: String(row.account), name: String(row.name), ...share(row) } satisfies SharedDocument }));
    },

    async countSharedDocuments(scope, sharedWith) {
      return Number((await countShared(session, [scope.account, scope.region, sharedWith])).rows[0].n);
    },
  };
}
