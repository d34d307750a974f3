// The vendored model subset and the generated wire tables: up to date, prose-free, patterns usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { operationNames, operations, shapes } from '../../src/wire/generated/shapes.ts';
import { translateJavaPattern } from '../../src/wire/validation/java-regex.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE = process.env.MW_BOTOCORE_SSM_DIR || resolve(ROOT, '../shared/spec/botocore-ssm');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

test('generated files are up to date (generator run into a temp dir)', { skip: !existsSync(join(SOURCE, 'service-2.json')) && `no botocore source at ${SOURCE}` }, () => {
  const out = mkdtempSync(join(tmpdir(), 'mw-generate-'));
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-wire.ts'), '--source', SOURCE, '--out', out], { stdio: 'pipe' });
    for (const dir of ['spec', 'src/wire/generated']) {
      const generated = files(join(out, dir));
      assert.deepEqual(files(join(ROOT, dir)), generated, `${dir}: same set of files`);
      for (const f of generated) {
        assert.equal(readFileSync(join(ROOT, dir, f), 'utf8'), readFileSync(join(out, dir, f), 'utf8'), `${dir}/${f} is stale: run npm run generate`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the subset: 57 operations (26 of maintenance windows, 9 of Run Command, 4 of activations, 7 more of documents, 6 of Automation, 5 of Session Manager), no AWS prose', () => {
  assert.equal(operationNames.length, 57);
  assert.equal(operationNames.filter((name) => name.includes('Session') || name === 'GetConnectionStatus').length, 5);
  assert.equal(operationNames.filter((name) => name.includes('Automation')).length, 6);
  assert.equal(operationNames.filter((name) => name.includes('MaintenanceWindow')).length, 23);
  const spec = readFileSync(join(ROOT, 'spec/ssm-maintenance-windows.json'), 'utf8');
  assert.doesNotMatch(spec, /"documentation"|"deprecatedMessage"|"documentationUrl"/);
  const model = JSON.parse(spec) as { operations: Record<string, unknown>; shapes: Record<string, unknown> };
  assert.deepEqual(Object.keys(model.operations), [...operationNames]);
  assert.deepEqual(Object.keys(model.shapes), Object.keys(shapes));
  assert.equal(operations.DescribeMaintenanceWindows.paginator?.result_key, 'WindowIdentities');
  assert.deepEqual(operations.GetMaintenanceWindow.errors, ['DoesNotExistException', 'InternalServerError']);
});

test('every pattern compiles with the u flag and is stored translated', () => {
  let count = 0;
  for (const [name, s] of Object.entries(shapes)) {
    if (s.pattern === undefined) continue;
    count++;
    assert.equal(s.jsPattern, translateJavaPattern(s.pattern), name);
    assert.doesNotThrow(() => new RegExp(s.jsPattern!, 'u'), name);
  }
  assert.ok(count >= 10);
});

test('Java → JavaScript pattern translation', () => {
  assert.equal(translateJavaPattern('^a\\-b[\\-x]$'), '^(?:^a-b[\\-x](?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$))$');
  assert.equal(translateJavaPattern('\\s.'), '^(?:[\\t\\n\\x0B\\f\\r ][^\\n\\r\\u0085\\u2028\\u2029])$');
  assert.equal(translateJavaPattern('[\\p{L}\\s_]'), '^(?:[\\p{L}\\t\\n\\x0B\\f\\r _])$');
  // A leading (?i) (AccountId) is the whole pattern case-insensitive; anywhere else it is refused.
  const accountId = new RegExp(translateJavaPattern('(?i)all|[0-9]{12}'), 'u');
  assert.deepEqual(['all', 'ALL', 'All', '123456789012', 'alll', '12345'].map((v) => accountId.test(v)), [true, true, true, true, false, false]);
  for (const unsupported of ['a++', 'a(?i)b', '[a&&b]', '\\p{Alpha}', '[a[b]]', '\\Qa\\E']) {
    assert.throws(() => translateJavaPattern(unsupported), Error, unsupported);
  }
});
