// Contract: user documents (a row per name in a scope, in creation order, counted) and their versions
// (content kept byte for byte, listed by number, one deleted alone, all deleted with the document), and its
// shares with other accounts or with all (listed in the order given, found by the reader, counted).

import assert from 'node:assert/strict';
import type { UserDocument, UserDocumentVersion } from '../../src/service/ports.ts';
import { A, AWKWARD, B, C, items, keys, T0 } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

function userDocument(name: string, overrides: Partial<UserDocument> = {}): UserDocument {
  return { name, documentType: 'Command', createdAt: T0, defaultVersion: 1, latestVersion: 1, tags: [{ key: 'k', value: AWKWARD }], ...overrides };
}

function version(n: number, overrides: Partial<UserDocumentVersion> = {}): UserDocumentVersion {
  // YAML content with what a careless engine would mangle: CRLF, tabs, trailing spaces, non-BMP text.
  const content = `schemaVersion: '2.2'\r\ndescription: "${n} ${AWKWARD.replace(/"/g, '\\"')}"\t \nmainSteps: []\n\n`;
  return {
    number: n, versionName: `v${n}`, content, format: 'YAML', hash: 'ab'.repeat(32), createdAt: T0 + n, status: 'Active',
    displayName: 'Display', targetType: '/AWS::EC2::Instance', documentType: 'Command', schemaVersion: '2.2', description: AWKWARD,
    parameters: [{ Name: 'p', Type: 'String', Description: 'd', DefaultValue: '' }], platformTypes: ['Linux', 'MacOS'],
    requires: [{ name: 'other', version: '1' }],
    ...overrides,
  };
}

function unnamed(n: number): UserDocumentVersion {
  const { versionName: _, ...rest } = version(n);
  return rest;
}

export function documentContract(it: StoreTest): void {
  it('documents round-trip with their first version, per scope, in creation order, counted', async (store) => {
    const names = ['zeta', 'Alpha', 'mid.doc_1'];
    for (const name of names) await store.insertDocument(A, userDocument(name), version(1));
    await store.insertDocument(C, userDocument('zeta'), version(1, { content: 'other' }));
    assert.equal(await store.insertDocument(A, userDocument('zeta'), version(1, { content: 'again' })), false, 'an existing name is not inserted again');
    assert.equal((await store.getDocumentVersion(A, 'zeta', 1))?.content, version(1).content, 'and its version is untouched');
    // Two transactions racing for one name (two CreateDocument calls): one inserts, the other is told so.
    const RACE = { account: '444444444444', region: 'ap-south-1' };
    const raced = await Promise.all([1, 2].map((n) => store.transaction((tx) => tx.insertDocument(RACE, userDocument('race'), version(1, { content: `from ${n}` })))));
    assert.deepEqual([...raced].sort(), [false, true]);

    assert.deepEqual(await store.getDocument(A, 'zeta'), userDocument('zeta'));
    assert.equal(await store.getDocument(B, 'zeta'), undefined);
    assert.equal(await store.getDocument(A, 'ZETA'), undefined, 'names are case-sensitive');
    assert.deepEqual(await store.getDocumentVersion(A, 'zeta', 1), version(1), 'content byte for byte');
    assert.equal((await store.getDocumentVersion(C, 'zeta', 1))?.content, 'other');

    const all = await store.listDocuments(A, 0, 10);
    assert.deepEqual(items(all).map((d) => d.name), names, 'creation order');
    const k = keys(all);
    assert.deepEqual([...k].sort((x, y) => x - y), k, 'keys ascend');
    assert.deepEqual(items(await store.listDocuments(A, all[0].key, 1)).map((d) => d.name), [names[1]]);
    assert.deepEqual(await store.listDocuments(B, 0, 10), []);
    assert.equal(await store.countDocuments(A), 3);
    assert.equal(await store.countDocuments(B), 0);
  });

  it('versions are added, listed by number, deleted one by one; the document goes with all of them', async (store) => {
    await store.insertDocument(A, userDocument('doc'), version(1));
    await store.insertDocument(B, userDocument('doc'), version(1));
    await store.transaction(async (tx) => {
      const found = (await tx.getDocument(A, 'doc'))!;
      for (const n of [2, 3, 4]) await tx.insertDocumentVersion(A, 'doc', unnamed(n));
      await tx.updateDocument(A, { ...found, latestVersion: 4, defaultVersion: 3 });
    });
    assert.deepEqual(await store.getDocument(A, 'doc'), userDocument('doc', { latestVersion: 4, defaultVersion: 3 }));
    await assert.rejects(store.insertDocumentVersion(A, 'doc', version(2)), 'a version number is unique in its document');

    const listed = await store.listDocumentVersions(A, 'doc', 0, 10);
    assert.deepEqual(keys(listed), [1, 2, 3, 4]);
    assert.deepEqual(items(listed)[1], unnamed(2));
    assert.deepEqual(keys(await store.listDocumentVersions(A, 'doc', 1, 2)), [2, 3]);

    assert.equal(await store.deleteDocumentVersion(A, 'doc', 2), true);
    assert.equal(await store.deleteDocumentVersion(A, 'doc', 2), false);
    assert.equal(await store.getDocumentVersion(A, 'doc', 2), undefined);
    assert.deepEqual(keys(await store.listDocumentVersions(A, 'doc', 0, 10)), [1, 3, 4]);

    assert.equal(await store.deleteDocument(A, 'doc'), true);
    assert.equal(await store.deleteDocument(A, 'doc'), false);
    assert.equal(await store.getDocument(A, 'doc'), undefined);
    assert.deepEqual(await store.listDocumentVersions(A, 'doc', 0, 10), [], 'versions go with the document');
    assert.deepEqual(keys(await store.listDocumentVersions(B, 'doc', 0, 10)), [1], 'another scope keeps its own');
    // The name can be used again, from version 1.
    await store.insertDocument(A, userDocument('doc'), version(1));
    assert.deepEqual(keys(await store.listDocumentVersions(A, 'doc', 0, 10)), [1]);
  });
  it('shares: per document in the order given, a new version in place, found by the reader, counted, gone with the document', async (store) => {
    const D = { account: '333333333333', region: 'us-east-1' };
    for (const name of ['one', 'two']) await store.insertDocument(A, userDocument(name), version(1));
    await store.insertDocument(D, userDocument('three'), version(1));
    await store.insertDocument(C, userDocument('one'), version(1));
    await store.putDocumentShare(A, 'one', { sharedWith: B.account, sharedVersion: '$DEFAULT' });
    await store.putDocumentShare(A, 'one', { sharedWith: D.account, sharedVersion: '$LATEST' });
    await store.putDocumentShare(A, 'two', { sharedWith: 'all', sharedVersion: '$DEFAULT' });
    await store.putDocumentShare(D, 'three', { sharedWith: B.account, sharedVersion: '$ALL' });
    await store.putDocumentShare(C, 'one', { sharedWith: B.account, sharedVersion: '$DEFAULT' });
    // Given again: the version changes, the place in the order does not.
    await store.putDocumentShare(A, 'one', { sharedWith: B.account, sharedVersion: '$ALL' });
    assert.deepEqual(await store.listDocumentShares(A, 'one'), [
      { sharedWith: B.account, sharedVersion: '$ALL' },
      { sharedWith: D.account, sharedVersion: '$LATEST' },
    ]);
    assert.deepEqual(await store.listDocumentShares(B, 'one'), [], 'per owner');

    const forB = await store.listSharedDocuments('us-east-1', B.account, [B.account], 0, 10);
    assert.deepEqual(items(forB), [
      { owner: A.account, name: 'one', sharedWith: B.account, sharedVersion: '$ALL' },
      { owner: D.account, name: 'three', sharedWith: B.account, sharedVersion: '$ALL' },
    ], 'shared with B in this Region, in the order shared; not the other Region');
    assert.deepEqual(items(await store.listSharedDocuments('us-east-1', B.account, [B.account, 'all'], forB[0].key, 10)).map((d) => d.name), ['two', 'three'],
      'with the public ones, after a key');
    assert.deepEqual(items(await store.listSharedDocuments('us-east-1', B.account, ['all'], 0, 1)).map((d) => d.name), ['two']);
    assert.deepEqual(await store.listSharedDocuments('us-east-1', A.account, ['all'], 0, 10), [], 'never the reader\'s own');
    assert.deepEqual(items(await store.listSharedDocuments('eu-west-1', B.account, [B.account], 0, 10)).map((d) => d.owner), [C.account]);
    assert.equal(await store.countSharedDocuments(A, 'all'), 1);
    assert.equal(await store.countSharedDocuments(A, B.account), 1);
    assert.equal(await store.countSharedDocuments(D, 'all'), 0);

    assert.equal(await store.deleteDocumentShare(A, 'one', B.account), true);
    assert.equal(await store.deleteDocumentShare(A, 'one', B.account), false);
    assert.deepEqual(await store.listDocumentShares(A, 'one'), [{ sharedWith: D.account, sharedVersion: '$LATEST' }]);
    await store.transaction(async (tx) => {
      await tx.putDocumentShare(A, 'one', { sharedWith: B.account, sharedVersion: '$DEFAULT' });
      assert.equal(await tx.deleteDocument(A, 'one'), true);
    });
    assert.deepEqual(await store.listDocumentShares(A, 'one'), [], 'shares go with the document');
    await store.insertDocument(A, userDocument('one'), version(1));
    assert.deepEqual(await store.listDocumentShares(A, 'one'), [], 'and do not come back with its name');
  });
}
