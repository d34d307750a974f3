// The wire's answer memo (wire/json-text.ts): a record's text is built once per (kind, scope, id, version,
// variant), a new version or variant builds it again, memos of two stores never share, the LRU keeps its
// bound; and the domain's next-fire memo answers from a window's timing, not from the object it is given.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextExecutionTime, nextFireAfter } from '../../src/domain/window-rules.ts';
import { AnswerMemo, JsonText, serializeAnswer, TextLru } from '../../src/wire/json-text.ts';
import { A, B, window } from '../contract/fixtures.ts';

interface Item {
  Id?: string;
  Name?: string;
}

function counting(memo: AnswerMemo) {
  let builds = 0;
  const text = (scope: typeof A, record: { id: string; version: number; name: string }, variant?: string) =>
    memo.text<Item>('Item', scope, record, () => { builds += 1; return { Id: record.id, Name: record.name }; }, variant);
  return { text, builds: () => builds };
}

describe('answer memo', () => {
  it('builds a record\'s text once per version and variant', () => {
    const { text, builds } = counting(new AnswerMemo(new TextLru(100)));
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

  it('keeps two memos (two stores) apart, even on one LRU', () => {
    const texts = new TextLru(100);
    const first = counting(new AnswerMemo(texts));
    const second = counting(new AnswerMemo(texts));
    first.text(A, { id: 'r-1', version: 1, name: 'store one' });
    assert.equal(second.text(A, { id: 'r-1', version: 1, name: 'store two' }).text, '{"Id":"r-1","Name":"store two"}');
  });

  it('drops the least recently used text past its bound', () => {
    const texts = new TextLru(2);
    const { text, builds } = counting(new AnswerMemo(texts));
    text(A, { id: 'a', version: 1, name: 'a' });
    text(A, { id: 'b', version: 1, name: 'b' });
    text(A, { id: 'a', version: 1, name: 'a' }); // a is now the most recently used
    text(A, { id: 'c', version: 1, name: 'c' }); // drops b
    assert.equal(texts.size, 2);
    assert.equal(builds(), 3);
    text(A, { id: 'a', version: 1, name: 'a' });
    assert.equal(builds(), 3, 'a was kept');
    text(A, { id: 'b', version: 1, name: 'b' });
    assert.equal(builds(), 4, 'b was dropped');
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
