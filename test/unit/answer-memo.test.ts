// The wire's answer memo (wire/json-text.ts): a record's text is built once per (scope, id, version,
// variant) of its kind, a new version or variant builds it again, two stores' memos never share, the
// bound holds; and the domain's next-fire memo answers from a window's timing, not from the object given.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextExecutionTime, nextFireAfter } from '../../src/domain/window-rules.ts';
import { JsonText, RecordTexts, serializeAnswer } from '../../src/wire/json-text.ts';
import { A, B, window } from '../contract/fixtures.ts';

interface Item {
  Id?: string;
  Name?: string;
}

function counting(memo: RecordTexts<Item>) {
  let builds = 0;
  const text = (scope: typeof A, record: { id: string; version: number; name: string }, variant?: string) =>
    memo.text(scope, record, () => { builds += 1; return { Id: record.id, Name: record.name }; }, variant);
  return { text, builds: () => builds };
}

describe('answer memo', () => {
  it('builds a record\'s text once per version and variant', () => {
    const { text, builds } = counting(new RecordTexts<Item>(100));
    assert.equal(text(A, { id: 'r-1', version: 1, name: 'one' }).text, '{"Id":"r-1","Name":"one"}');
    // Same key: the stored text, even if the caller's object says otherwise (the version is the contract).
    assert.equal(text(A, { id: 'r-1', version: 1, name: 'ignored' }).text, '{"Id":"r-1","Name":"one"}');
    assert.equal(builds(), 1);
    assert.equal(text(A, { id: 'r-1', version: 2, name: 'two' }).text, '{"Id":"r-1","Name":"two"}');
    assert.equal(text(A, { id: 'r-1', version: 2, name: 'two' }, 'next run changed').text, '{"Id":"r-1","Name":"two"}');
    assert.equal(builds(), 3, 'a new version and a new variant each build again');
    text(B, { id: 'r-1', version: 2, name: 'in B' });
    assert.equal(builds(), 4, 'another scope is another record');
  });

  it('keeps two memos (two stores) apart', () => {
    const first = counting(new RecordTexts<Item>(100));
    const second = counting(new RecordTexts<Item>(100));
    first.text(A, { id: 'r-1', version: 1, name: 'store one' });
    assert.equal(second.text(A, { id: 'r-1', version: 1, name: 'store two' }).text, '{"Id":"r-1","Name":"store two"}');
  });

  it('keeps at most its bound, the recently used first', () => {
    const texts = new RecordTexts<Item>(4);
    const { text, builds } = counting(texts);
    text(A, { id: 'a', version: 1, name: 'a' });
    text(A, { id: 'b', version: 1, name: 'b' });
    text(A, { id: 'c', version: 1, name: 'c' }); // a and b move to the older generation
    text(A, { id: 'a', version: 1, name: 'a' }); // a is used again: back to the newer one
    text(A, { id: 'd', version: 1, name: 'd' }); // the newer is full: the older (b) is dropped
    assert.equal(builds(), 4);
    assert.ok(texts.size <= 4);
    text(A, { id: 'a', version: 1, name: 'a' });
    text(A, { id: 'd', version: 1, name: 'd' });
    assert.equal(builds(), 4, 'a and d were kept');
    text(A, { id: 'b', version: 1, name: 'b' });
    assert.equal(builds(), 5, 'b was dropped');
    for (let i = 0; i < 100; i++) text(A, { id: `x-${i}`, version: 1, name: 'x' });
    assert.ok(texts.size <= 4, 'never more than the bound');
  });

  it('serializeAnswer splices texts and lists of texts; JSON.stringify reads them the slow way', () => {
    const item = new JsonText<Item>('{"Id":"r-1"}');
    const answer = { Items: [item, new JsonText<Item>('{"Id":"r-2"}')], NextToken: undefined, Count: 2 };
    assert.equal(serializeAnswer(answer), '{"Items":[{"Id":"r-1"},{"Id":"r-2"}],"Count":2}');
    assert.equal(serializeAnswer(item), '{"Id":"r-1"}');
    assert.equal(JSON.stringify(answer), serializeAnswer(answer));
    assert.equal(serializeAnswer({ Items: [] }), '{"Items":[]}');
  });
});

describe('next-fire memo', () => {
  const NOW = Date.UTC(2030, 0, 1, 0, 0, 0);

  it('answers from the window\'s timing: a changed window is a new question, whatever object carries it', () => {
    const w = window('mw-00000000000000001', { schedule: 'rate(1 hour)', rateAnchorMs: NOW, startDate: undefined, endDate: undefined });
    assert.equal(nextFireAfter(w, NOW), NOW + 3_600_000);
    assert.equal(nextFireAfter(w, NOW + 60_000), NOW + 3_600_000, 'a later instant before the run: the same run');
    // The same object changed in place (no freezing needed): another timing, another answer.
    w.schedule = 'rate(2 hours)';
    assert.equal(nextFireAfter(w, NOW + 60_000), NOW + 7_200_000);
    assert.equal(nextFireAfter({ ...w, enabled: false }, NOW + 60_000), undefined);
    assert.equal(nextFireAfter({ ...w }, NOW + 7_200_000), NOW + 14_400_000, 'past the remembered run: walked again');
  });

  it('formats NextExecutionTime in the window\'s time zone, per timing', () => {
    const utc = window('mw-00000000000000002', { schedule: 'cron(0 9 * * ? *)', timeZone: undefined, offsetDays: undefined, startDate: undefined, endDate: undefined });
    const paris = { ...utc, timeZone: 'Europe/Paris' };
    const inUtc = nextExecutionTime(utc, NOW);
    const inParis = nextExecutionTime(paris, NOW);
    assert.ok(inUtc && inParis);
    assert.notEqual(inUtc, inParis, 'a time zone is part of the timing');
    assert.equal(nextExecutionTime({ ...utc }, NOW + 1), inUtc, 'a copy of the window: the same text');
  });
});
