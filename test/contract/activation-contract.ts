// Contract: hybrid activations (creation order, registrations counted, deletion, located by id across
// scopes) and the credentials registered agents sign with (found while their node is registered,
// revoked when it is deregistered, expired ones dropped when the node gets a new one).

import assert from 'node:assert/strict';
import { A, activation, agentCredential, B, C, items, keys, node, T0 } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

export function activationContract(it: StoreTest): void {
  it('activations round-trip, count registrations, are listed in creation order and located across scopes', async (store) => {
    const ids = ['5b6e0000-0000-4000-8000-000000000003', '5b6e0000-0000-4000-8000-000000000001', '5b6e0000-0000-4000-8000-000000000002'];
    for (const id of ids) await store.insertActivation(A, activation(id));
    await store.insertActivation(C, activation('5b6e0000-0000-4000-8000-00000000000c'));
    assert.deepEqual(await store.getActivation(A, ids[0]), activation(ids[0]));
    assert.equal(await store.getActivation(B, ids[0]), undefined);
    await assert.rejects(store.insertActivation(A, activation(ids[0])), 'an existing id cannot be inserted again');

    const all = await store.listActivations(A, 0, 10);
    assert.deepEqual(items(all).map((a) => a.id), ids, 'creation order');
    const k = keys(all);
    assert.deepEqual([...k].sort((x, y) => x - y), k, 'keys ascend');
    assert.deepEqual(items(await store.listActivations(A, all[0].key, 1)).map((a) => a.id), [ids[1]]);
    assert.deepEqual(await store.listActivations(A, all[2].key, 10), []);
    assert.deepEqual(await store.listActivations(B, 0, 10), []);

    // A registration counts against the limit (read and written in one transaction, as the service does).
    await store.transaction(async (tx) => {
      const found = (await tx.getActivation(A, ids[1]))!;
      await tx.updateActivation(A, { ...found, registrationsCount: found.registrationsCount + 1 });
    });
    assert.equal((await store.getActivation(A, ids[1]))?.registrationsCount, 1);
    assert.equal((await store.getActivation(A, ids[0]))?.registrationsCount, 0);

    assert.deepEqual(await store.locateActivation(ids[2]), A);
    assert.deepEqual(await store.locateActivation('5b6e0000-0000-4000-8000-00000000000c'), C);
    assert.equal(await store.locateActivation('5b6e0000-0000-4000-8000-0000000000ff'), undefined);
  });

  it('deleteActivation removes one activation of its scope; false when there is none', async (store) => {
    const id = '5b6e0000-0000-4000-8000-000000000001';
    await store.insertActivation(A, activation(id));
    assert.equal(await store.deleteActivation(B, id), false, 'not in another account');
    assert.equal(await store.deleteActivation(A, id), true);
    assert.equal(await store.deleteActivation(A, id), false);
    assert.equal(await store.getActivation(A, id), undefined);
    assert.deepEqual(await store.listActivations(A, 0, 10), []);
    assert.equal(await store.locateActivation(id), undefined);
  });

  it('an agent credential is found, with its scope, while its node is registered; deregistration revokes it', async (store) => {
    await store.putNode(A, node('mi-00000000000000001'));
    await store.putNode(B, node('mi-00000000000000002'));
    await store.putAgentCredential(A, agentCredential('mi-00000000000000001', 'AKIDA1'), T0);
    await store.putAgentCredential(A, agentCredential('mi-00000000000000001', 'AKIDA2'), T0);
    await store.putAgentCredential(B, agentCredential('mi-00000000000000002', 'AKIDB1'), T0);
    assert.deepEqual(await store.locateNode('mi-00000000000000002'), B);
    assert.equal(await store.locateNode('mi-00000000000000009'), undefined);

    assert.deepEqual(await store.findAgentCredential('AKIDA1'), { scope: A, credential: agentCredential('mi-00000000000000001', 'AKIDA1') });
    assert.deepEqual(await store.findAgentCredential('AKIDB1'), { scope: B, credential: agentCredential('mi-00000000000000002', 'AKIDB1') });
    assert.equal(await store.findAgentCredential('AKIDUNKNOWN'), undefined);

    // DeregisterManagedInstance deletes the node (service/activations.ts): every credential it held stops working.
    await store.transaction(async (tx) => assert.equal(await tx.deleteNode(A, 'mi-00000000000000001'), true));
    assert.equal(await store.findAgentCredential('AKIDA1'), undefined);
    assert.equal(await store.findAgentCredential('AKIDA2'), undefined);
    assert.ok(await store.findAgentCredential('AKIDB1'), 'another node keeps its credentials');
    // The same id registered in another scope does not bring the old credentials back.
    await store.putNode(C, node('mi-00000000000000001'));
    assert.equal(await store.findAgentCredential('AKIDA1'), undefined);
  });

  it('a new credential drops the node\'s credentials that expired before now, no one else\'s', async (store) => {
    await store.putNode(A, node('mi-00000000000000001'));
    await store.putNode(A, node('mi-00000000000000002'));
    await store.putAgentCredential(A, agentCredential('mi-00000000000000001', 'AKIDOLD', T0 + 10), T0);
    await store.putAgentCredential(A, agentCredential('mi-00000000000000001', 'AKIDCURRENT', T0 + 3_600_000), T0);
    await store.putAgentCredential(A, agentCredential('mi-00000000000000002', 'AKIDOTHER', T0 + 10), T0);
    assert.ok(await store.findAgentCredential('AKIDOLD'), 'kept until the node gets a new one');

    await store.putAgentCredential(A, agentCredential('mi-00000000000000001', 'AKIDNEW', T0 + 7_200_000), T0 + 11);
    assert.equal(await store.findAgentCredential('AKIDOLD'), undefined);
    assert.ok(await store.findAgentCredential('AKIDCURRENT'));
    assert.ok(await store.findAgentCredential('AKIDNEW'));
    assert.ok(await store.findAgentCredential('AKIDOTHER'), 'another node\'s expired credential is its own business');
    await assert.rejects(store.putAgentCredential(A, agentCredential('mi-00000000000000001', 'AKIDNEW'), T0), 'an access key id is issued once');
  });

  it('the lookups span every scope: locateNode and findAgentCredential need no scope', async (store) => {
    await store.putNode(C, node('mi-0000000000000000c'));
    await store.putAgentCredential(C, agentCredential('mi-0000000000000000c', 'AKIDC'), T0);
    assert.deepEqual(await store.locateNode('mi-0000000000000000c'), C);
    assert.deepEqual((await store.findAgentCredential('AKIDC'))?.scope, C);
  });
}
