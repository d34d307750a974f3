// The documents port on SQLite: user documents and their versions. One writer at a time (transactions
// are BEGIN IMMEDIATE): a read inside a transaction is already held.

import type { DocumentsPort, UserDocument, UserDocumentVersion } from '../../service/ports.ts';
import { keyed, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const SCOPE_AND_NAME = 'account = ? AND region = ? AND id = ?';
const VERSION_OF = 'account = ? AND region = ? AND name = ?';

const statements = {
  insertDocument: 'INSERT INTO documents (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT (account, region, id) DO NOTHING',
  selectDocument: `SELECT doc FROM documents WHERE ${SCOPE_AND_NAME}`,
  updateDocument: `UPDATE documents SET doc = ? WHERE ${SCOPE_AND_NAME}`,
  deleteDocument: `DELETE FROM documents WHERE ${SCOPE_AND_NAME}`,
  deleteAllVersions: `DELETE FROM document_versions WHERE ${VERSION_OF}`,
  listDocuments: 'SELECT seq, doc FROM documents WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?',
  countDocuments: 'SELECT COUNT(*) AS n FROM documents WHERE account = ? AND region = ?',
  insertVersion: 'INSERT INTO document_versions (account, region, name, version, doc) VALUES (?, ?, ?, ?, ?)',
  selectVersion: `SELECT doc FROM document_versions WHERE ${VERSION_OF} AND version = ?`,
  listVersions: `SELECT version AS seq, doc FROM document_versions WHERE ${VERSION_OF} AND version > ? ORDER BY version LIMIT ?`,
  deleteVersion: `DELETE FROM document_versions WHERE ${VERSION_OF} AND version = ?`,
};

export function sqliteDocuments(db: SqliteDatabase): DocumentsPort {
  const sql = db.prepare(statements);
  return {
    async insertDocument(scope, document, first) {
      // Both rows or neither: a name already taken inserts nothing.
      if (sql.insertDocument.run(scope.account, scope.region, document.name, JSON.stringify(document)).changes === 0) return false;
      sql.insertVersion.run(scope.account, scope.region, document.name, first.number, JSON.stringify(first));
      return true;
    },

    async getDocument(scope, name) {
      return parsed<UserDocument>(sql.selectDocument.get(scope.account, scope.region, name) as Row | undefined);
    },

    async updateDocument(scope, document) {
      sql.updateDocument.run(JSON.stringify(document), scope.account, scope.region, document.name);
    },

    async deleteDocument(scope, name) {
      sql.deleteAllVersions.run(scope.account, scope.region, name);
      return Number(sql.deleteDocument.run(scope.account, scope.region, name).changes) > 0;
    },

    async listDocuments(scope, afterKey, limit) {
      return keyed<UserDocument>(sql.listDocuments.all(scope.account, scope.region, afterKey, limit) as Row[]);
    },

    async countDocuments(scope) {
      return Number((sql.countDocuments.get(scope.account, scope.region) as Row).n);
    },

    async insertDocumentVersion(scope, name, version) {
      sql.insertVersion.run(scope.account, scope.region, name, version.number, JSON.stringify(version));
    },

    async getDocumentVersion(scope, name, version) {
      return parsed<UserDocumentVersion>(sql.selectVersion.get(scope.account, scope.region, name, version) as Row | undefined);
    },

    async listDocumentVersions(scope, name, afterVersion, limit) {
      return keyed<UserDocumentVersion>(sql.listVersions.all(scope.account, scope.region, name, afterVersion, limit) as Row[]);
    },

    async deleteDocumentVersion(scope, name, version) {
      return Number(sql.deleteVersion.run(scope.account, scope.region, name, version).changes) > 0;
    },
  };
}
