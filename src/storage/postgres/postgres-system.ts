// The system port on PostgreSQL: ClientToken records and named settings.

import type { SystemPort } from '../../service/ports.ts';
import { idempotencyRecord } from '../row-mappers.ts';
import { LOCK_CLASS_IDEMPOTENCY, type Session, statement } from './postgres-database.ts';

// Held until the transaction ends: two requests with one ClientToken take turns, as SQLite's single
// writer makes them, so the second finds the first's record instead of creating a second resource.
const lockIdempotencyToken = statement('lock_idempotency_token', 'SELECT pg_advisory_xact_lock($1, hashtext($2))');
const selectIdempotencyRecord = statement('select_idempotency_record', 'SELECT fingerprint, result, created_at FROM idempotency_tokens WHERE account = $1 AND region = $2 AND operation = $3 AND token = $4');
const upsertIdempotencyRecord = statement('upsert_idempotency_record', 'INSERT INTO idempotency_tokens (account, region, operation, token, fingerprint, result, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account, region, operation, token) DO UPDATE SET fingerprint = excluded.fingerprint, result = excluded.result, created_at = excluded.created_at');
const deleteIdempotencyRecordsBefore = statement('delete_idempotency_records_before', 'DELETE FROM idempotency_tokens WHERE created_at < $1');
const selectSetting = statement('select_setting', 'SELECT value FROM settings WHERE name = $1');
const insertSettingIfAbsent = statement('insert_setting_if_absent', 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING');

export function postgresSystem(session: Session): SystemPort {
  return {
    async getIdempotencyRecord(scope, operation, token) {
      // A separate statement before the read: a statement's snapshot is taken when it starts, so a read in
      // the same statement as the lock would not see what the previous holder committed.
      await lockIdempotencyToken(session, [LOCK_CLASS_IDEMPOTENCY, `${scope.account}|${scope.region}|${operation}|${token}`]);
      return idempotencyRecord((await selectIdempotencyRecord(session, [scope.account, scope.region, operation, token])).rows[0]);
    },

    async putIdempotencyRecord(scope, operation, token, record) {
      await upsertIdempotencyRecord(session, [scope.account, scope.region, operation, token, record.fingerprint, record.result, record.createdAt]);
    },

    async deleteIdempotencyRecordsBefore(createdBefore) {
      await deleteIdempotencyRecordsBefore(session, [createdBefore]);
    },

    async getSetting(name) {
      const row = (await selectSetting(session, [name])).rows[0];
      return row ? String(row.value) : undefined;
    },

    async putSettingIfAbsent(name, value) {
      await insertSettingIfAbsent(session, [name, value]);
    },
  };
}
