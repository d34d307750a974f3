// The storage contract: what every engine behind the Store port must do, observable through the port
// alone. Each engine's *.test.ts calls storeContract with a function that opens a fresh, empty store
// (its own database or schema); every test gets one and disposes of it, pass or fail.

import { describe, test } from 'node:test';
import type { Store } from '../../src/service/ports.ts';
import { activationContract } from './activation-contract.ts';
import { commandContract } from './command-contract.ts';
import { concurrencyContract } from './concurrency-contract.ts';
import { controlPlaneContract } from './control-plane-contract.ts';
import { automationContract } from './automation-contract.ts';
import { sessionContract } from './session-contract.ts';
import { documentContract } from './document-contract.ts';
import { eventContract } from './event-contract.ts';
import type { OpenStore } from './fixtures.ts';
import { historyContract } from './history-contract.ts';
import { leaseContract } from './lease-contract.ts';
import { schedulingContract } from './scheduling-contract.ts';
import { transactionContract } from './transaction-contract.ts';
import { transcriptContract } from './transcript-contract.ts';
import { versionContract } from './version-contract.ts';
import { windowReportContract } from './window-report-contract.ts';

export type { OpenedStore, OpenStore } from './fixtures.ts';

/** Registers one test whose body gets a fresh store. */
export type StoreTest = (title: string, body: (store: Store) => Promise<void>) => void;

export function storeContract(name: string, open: OpenStore): void {
  const it: StoreTest = (title, body) => {
    test(title, async () => {
      const { store, cleanup } = await open();
      try {
        await body(store);
      } finally {
        await cleanup();
      }
    });
  };
  describe(`store contract: ${name}`, () => {
    describe('control plane', () => controlPlaneContract(it));
    describe('execution history', () => historyContract(it));
    describe('leases on running executions', () => leaseContract(it));
    describe('scheduling, nodes, outcome rules, settings', () => schedulingContract(it));
    describe('transactions', () => transactionContract(it));
    describe('concurrent read-modify-write', () => concurrencyContract(it));
    describe('window reports', () => windowReportContract(it));
    describe('state-change events', () => eventContract(it));
    describe('Run Command commands', () => commandContract(it));
    describe('activations and agent credentials', () => activationContract(it));
    describe('record versions', () => versionContract(it));
    describe('user documents and their versions', () => documentContract(it));
    describe('automation executions and their inbox', () => automationContract(it));
    describe('Session Manager sessions and their signals', () => sessionContract(it));
    describe('Session Manager transcripts', () => transcriptContract(it));
  });
}
