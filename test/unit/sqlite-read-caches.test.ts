// The SQLite store's read caches (storage/sqlite/doc-cache.ts) must never show a reader anything the
// database does not hold: a write is seen by the next read with its new version, a rolled-back
// transaction leaves nothing behind, a commit through another connection empties them, and a shared
// record (the ports' `Shared`, read-only) cannot be changed in place.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { A, invocation, orderedIds, window } from '../contract/fixtures.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite read caches', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mw-cache-'));
    store = new SqliteStore({ path: join(dir, 'mw.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a read after an update sees the update and its version; the shared record is read-only', async () => {
    await store.insertWindow(A, window('mw-00000000000000001', { name: 'before' }), undefined);
    const first = await store.getWindow(A, 'mw-00000000000000001');
    assert.equal(first?.name, 'before');
    assert.equal(first?.version, 1);
    assert.equal(await store.getWindow(A, 'mw-00000000000000001'), first, 'the second read is the cached record');
    assert.equal(Reflect.set(first!, 'name', 'changed in place'), false, 'frozen: the port types it read-only');
    await store.transaction((tx) => tx.updateWindow(A, { ...first!, name: 'after' }, undefined));
    const after = await store.getWindow(A, 'mw-00000000000000001');
    assert.equal(after?.name, 'after');
    assert.equal(after?.version, 2);
    assert.equal((await store.listWindows(A, 0, 10))[0].item.version, 2);
    assert.equal((await store.listWindows(A, 0, 10))[0].item.name, 'after');
  });

  test('a rolled-back transaction leaves neither its documents nor its listing pages behind', async () => {
    await store.insertWindow(A, window('mw-00000000000000001', { name: 'kept' }), undefined);
    assert.equal((await store.listWindows(A, 0, 10)).length, 1);
    await assert.rejects(store.transaction(async (tx) => {
      await tx.updateWindow(A, window('mw-00000000000000001', { name: 'rolled back' }), undefined);
      await tx.insertWindow(A, window('mw-00000000000000002'), undefined);
      // Read inside the transaction: sees its own writes, but must not fill the caches with them.
      assert.equal((await tx.getWindow(A, 'mw-00000000000000001'))?.name, 'rolled back');
      assert.equal((await tx.listWindows(A, 0, 10)).length, 2);
      throw new Error('roll back');
    }), /roll back/);
    assert.equal((await store.getWindow(A, 'mw-00000000000000001'))?.name, 'kept');
    assert.deepEqual((await store.listWindows(A, 0, 10)).map((r) => r.item.id), ['mw-00000000000000001']);
    assert.equal(await store.getWindow(A, 'mw-00000000000000002'), undefined);
  });

  test('a listing page remembered before an insert shows the new row after it', async () => {
    const ids = orderedIds(3);
    await store.insertInvocations(A, [invocation('te-1', ids[0]), invocation('te-1', ids[1])]);
    assert.equal((await store.listInvocations(A, 'te-1', 0, 10)).length, 2);
    await store.insertInvocations(A, [invocation('te-1', ids[2])]);
    assert.deepEqual((await store.listInvocations(A, 'te-1', 0, 10)).map((r) => r.item.id), ids);
    await store.updateInvocations(A, [{ ...invocation('te-1', ids[0]), status: 'FAILED' }]);
    assert.equal((await store.listInvocations(A, 'te-1', 0, 10))[0].item.status, 'FAILED');
    assert.equal((await store.listInvocations(A, 'te-1', 0, 10))[0].item.version, 2);
    assert.equal((await store.getInvocation(A, ids[0]))?.status, 'FAILED');
    assert.equal((await store.getInvocation(A, ids[0]))?.version, 2);
  });

  test('a commit through another connection empties the caches (from the next turn of the event loop)', async () => {
    await store.insertWindow(A, window('mw-00000000000000001', { name: 'ours' }), undefined);
    assert.equal((await store.getWindow(A, 'mw-00000000000000001'))?.name, 'ours');
    const other = new DatabaseSync(join(dir, 'mw.sqlite'));
    try {
      const doc = JSON.stringify(window('mw-00000000000000001', { name: 'theirs' }));
      // Another process of this service writes as the store does: the document and its version.
      other.prepare('UPDATE windows SET doc = ?, version = version + 1 WHERE id = ?').run(doc, 'mw-00000000000000001');
    } finally {
      other.close();
    }
    await nextTurn();
    assert.equal((await store.getWindow(A, 'mw-00000000000000001'))?.name, 'theirs');
    assert.equal((await store.getWindow(A, 'mw-00000000000000001'))?.version, 2);
    assert.equal((await store.listWindows(A, 0, 10))[0].item.name, 'theirs');
  });

  test('deleting a window drops its cached history', async () => {
    await store.insertWindow(A, window('mw-00000000000000001'), undefined);
    const [id] = orderedIds(1);
    await store.insertInvocations(A, [invocation('te-1', id)]);
    assert.ok(await store.getInvocation(A, id));
    assert.equal((await store.listInvocations(A, 'te-1', 0, 10)).length, 1);
    // The invocation belongs to no execution of the window here, so only the window row goes; the
    // caches are emptied all the same and the next read asks the table again.
    await store.transaction((tx) => tx.deleteWindow(A, 'mw-00000000000000001'));
    assert.equal(await store.getWindow(A, 'mw-00000000000000001'), undefined);
    assert.deepEqual(await store.listWindows(A, 0, 10), []);
  });
});
