// The system port on SQLite: ClientToken records and named settings.

import type { SystemPort } from '../../service/ports.ts';
import { idempotencyRecord, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const statements = {
  selectIdempotencyRecord: 'SELECT fingerprint, result, created_at FROM idempotency_tokens WHERE account = ? AND region = ? AND operation = ? AND token = ?',
  upsertIdempotencyRecord: 'INSERT OR REPLACE INTO idempotency_tokens (account, region, operation, token, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  deleteIdempotencyRecordsBefore: 'DELETE FROM idempotency_tokens WHERE created_at < ?',
  selectSetting: 'SELECT value FROM settings WHERE name = ?',
  insertSettingIfAbsent: 'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
};

export function sqliteSystem(db: SqliteDatabase): SystemPort {
  const sql = db.prepare(statements);
  return {
    // One writer at a time (BEGIN IMMEDIATE): two requests with one ClientToken already take turns.
    async getIdempotencyRecord(scope, operation, token) {
      return idempotencyRecord(sql.selectIdempotencyRecord.get(scope.account, scope.region, operation, token) as Row | undefined);
    },

    async putIdempotencyRecord(scope, operation, token, record) {
      sql.upsertIdempotencyRecord.run(scope.account, scope.region, operation, token, record.fingerprint, record.result, record.createdAt);
    },

    async deleteIdempotencyRecordsBefore(createdBefore) {
      sql.deleteIdempotencyRecordsBefore.run(createdBefore);
    },

    async getSetting(name) {
      const row = sql.selectSetting.get(name) as Row | undefined;
      return row ? String(row.value) : undefined;
    },

    async putSettingIfAbsent(name, value) {
      sql.insertSettingIfAbsent.run(name, value);
    },
  };
}
