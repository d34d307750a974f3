// The documents port on SQLite: user documents and their versions. One writer at a time (transactions
// are BEGIN IMMEDIATE): a read inside a transaction is already held.

import type { DocumentsPort, UserDocument, UserDocumentVersion } from '../../service/ports.ts';
import type { DocumentShare, SharedDocument } from '../../service/ports/documents.ts';
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
  listShares: `SELECT shared_with, shared_version FROM document_permissions WHERE ${VERSION_OF} ORDER BY seq`,
  putShare: 'INSERT INTO document_permissions (account, region, name, shared_with, shared_version) VALUES (?, ?, ?, ?, ?) '
    + 'ON CONFLICT (account, region, name, shared_with) DO UPDATE SET shared_version = excluded.shared_version',
  deleteShare: `DELETE FROM document_permissions WHERE ${VERSION_OF} AND shared_with = ?`,
  deleteAllShares: `DELETE FROM document_permissions WHERE ${VERSION_OF}`,
  listShared: 'SELECT seq, account, name, shared_with, shared_version FROM document_permissions '
    + 'WHERE region = ? AND shared_with IN (?, ?) AND account <> ? AND seq > ? ORDER BY seq LIMIT ?',
  countShared: 'SELECT COUNT(*) AS n FROM document_permissions WHERE account = ? AND region = ? AND shared_with = ?',
};

function share(row: Row): DocumentShare {
  return { sharedWith: String(row.shared_with), sharedVersion: String(row.shared_version) };
}

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
      sql.deleteAllShares.run(scope.account, scope.region, name);
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

    async listDocumentShares(scope, name) {
      return (sql.listShares.all(scope.account, scope.region, name) as Row[]).map(share);
    },

    async putDocumentShare(scope, name, given) {
      sql.putShare.run(scope.account, scope.region, name, given.sharedWith, given.sharedVersion);
    },

    async deleteDocumentShare(scope, name, sharedWith) {
      return Number(sql.deleteShare.run(scope.account, scope.region, name, sharedWith).changes) > 0;
    },

    async listSharedDocuments(region, reader, sharedWith, afterKey, limit) {
      const rows = sql.listShared.all(region, sharedWith[0], sharedWith[1] ?? sharedWith[0], reader, afterKey, limit) as Row[];
      return rows.map((row) => ({ key: Number(row.seq), item: { owner: String(row.account), name: String(row.name), ...share(row) } satisfies SharedDocument }));
    },

    async countSharedDocuments(scope, sharedWith) {
      return Number((sql.countShared.get(scope.account, scope.region, sharedWith) as Row).n);
    },
  };
}
