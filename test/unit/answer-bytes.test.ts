// The HTTP answer's bytes (wire/json-text.ts answerBytes): always serializeAnswer's text; a list answer is
// reused only while every list holds the very same text objects in the same order and every other
// member reads the same, so a record's new version or a new token shows at once.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerBytes, JsonText, LIST_ANSWERS_KEPT, serializeAnswer } from '../../src/wire/json-text.ts';

const text = (value: unknown) => new JsonText<unknown>(JSON.stringify(value));
const bytes = (output: unknown) => {
  const out = answerBytes(output);
  return typeof out === 'string' ? out : out.toString('utf8');
};

describe('answerBytes', () => {
  it('is serializeAnswer for answers without lists of texts', () => {
    for (const output of [{ A: 1 }, text({ Id: 'x' }), { Items: [] }, { B: text({ Z: 1 }), C: 'c' }, null]) {
      assert.equal(bytes(output), serializeAnswer(output));
    }
  });

  it('reuses a list answer only for the same text objects, in order, with the same other members', () => {
    const a = text({ Id: 'a' });
    const b = text({ Id: 'b' });
    const first = answerBytes({ Items: [a, b], NextToken: 't1' });
    assert.ok(Buffer.isBuffer(first));
    assert.equal(answerBytes({ Items: [a, b], NextToken: 't1' }), first, 'the same page: the same bytes object');
    assert.equal(bytes({ Items: [a, b], NextToken: 't2' }), '{"Items":[{"Id":"a"},{"Id":"b"}],"NextToken":"t2"}');
    assert.equal(bytes({ Items: [a, b] }), '{"Items":[{"Id":"a"},{"Id":"b"}]}');
    assert.equal(bytes({ Items: [a] }), '{"Items":[{"Id":"a"}]}');
    // A new version of b is a new text object, even when a build gave the same text before.
    const b2 = text({ Id: 'b', Status: 'Success' });
    assert.equal(bytes({ Items: [a, b2] }), '{"Items":[{"Id":"a"},{"Id":"b","Status":"Success"}]}');
    assert.equal(bytes({ NextToken: 't', Items: [a, b] }), '{"NextToken":"t","Items":[{"Id":"a"},{"Id":"b"}]}', 'member order kept');
  });

  it('keeps a bounded number of answers', () => {
    const pages = Array.from({ length: LIST_ANSWERS_KEPT * 2 }, (_, i) => [text({ Id: `p${i}` })]);
    for (const items of pages) assert.equal(bytes({ Items: items }), serializeAnswer({ Items: items }));
    for (const items of pages) assert.equal(bytes({ Items: items }), `{"Items":[{"Id":"${(JSON.parse(items[0].text) as { Id: string }).Id}"}]}`);
  });
});
