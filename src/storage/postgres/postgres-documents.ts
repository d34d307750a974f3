// The documents port on PostgreSQL: user documents and their versions. Inside a transaction a document
// read is locked until it ends (FOR UPDATE), so a new version, a new default or a delete take turns.
// A transaction that touches a document holds nothing else (postgres-store.ts's lock order).

import type { DocumentsPort, UserDocument, UserDocumentVersion } from '../../service/ports.ts';
import { keyed, parsed } from '../row-mappers.ts';
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
  };
}
