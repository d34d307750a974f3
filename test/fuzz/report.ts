// How a run reads to a person: each case as a reproducer (what to send by hand to see the same answer),
// and the findings grouped by kind, each distinct one once with how often it came and its first reproducer.

import { jsonText, preview } from './json-text.ts';
import type { Finding } from './oracle.ts';
import type { FuzzCase, RunReport } from './runner.ts';

export function describeCase(c: FuzzCase): string {
  switch (c.kind) {
    case 'api': {
      const body = typeof c.body === 'string' ? c.body : `(bytes, not UTF-8) ${jsonText(c.body.toString('latin1'))}`;
      const notes = c.notes.length ? ` [${c.notes.join('; ')}]` : '';
      return `${c.operation} as ${c.scope.account}/${c.scope.region}${notes}: ${preview(body)}`;
    }
    case 'raw':
      return `raw HTTP (${c.label}): ${preview(JSON.stringify(c.text))}`;
    case 'control':
      return `${c.method} ${preview(c.path, 200)}${c.server === 'clock' ? ' (manual-clock server)' : ''}${c.body ? ` body ${preview(c.body)}` : ''} [${c.label}]`;
    case 'agent':
      return `agent ${c.target} signed ${c.signing} as ${c.actor.nodeId} (${c.actor.scope.account}/${c.actor.scope.region})${c.queueFirst ? ' after queueing a command for it' : ''} [${c.label}]: ${preview(c.body)}`;
    case 'events':
      return `${c.method} ${preview(c.path, 200)}${Object.keys(c.headers).filter((h) => h !== 'content-type').map((h) => ` ${h}: ${JSON.stringify(c.headers[h])}`).join('')}${c.body ? ` body ${preview(c.body)}` : ''} [${c.label}]`;
    case 'target-name':
      return `POST / X-Amz-Target: ${JSON.stringify(c.target)} body ${preview(c.body)}`;
  }
}

/** The distinct findings of each kind: the detail's digits and ids folded, so repeats count as one. */
export function groupFindings(findings: Finding[]): Map<string, Map<string, { count: number; first: Finding }>> {
  const groups = new Map<string, Map<string, { count: number; first: Finding }>>();
  for (const f of findings) {
    const signature = `${f.reproducer.split(/[ :[]/)[0]} ${f.detail.replace(/mw-[0-9a-f]{17}|[0-9a-f]{8}-[0-9a-f-]{27}|\d+/g, '#').slice(0, 160)}`;
    const byKind = groups.get(f.kind) ?? groups.set(f.kind, new Map()).get(f.kind)!;
    const seen = byKind.get(signature);
    if (seen) seen.count++;
    else byKind.set(signature, { count: 1, first: f });
  }
  return groups;
}

export function formatReport(report: RunReport, limitPerKind = 8): string {
  const lines: string[] = [];
  const statuses = Object.entries(report.byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}: ${n}`).join(', ');
  const cases = Object.entries(report.byCase).map(([k, n]) => `${k} ${n}`).join(', ');
  lines.push(`fuzz seed ${report.seed}: ${report.cases} cases, ${report.sent} requests in ${(report.ms / 1000).toFixed(1)} s`);
  lines.push(`  by status: ${statuses}`);
  lines.push(`  by case: ${cases}`);
  lines.push(`  answered 200: ${Object.entries(report.okByOperation).sort(([a], [b]) => a.localeCompare(b)).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  if (report.findings.length === 0) {
    lines.push('  no findings');
    return lines.join('\n');
  }
  lines.push(`  ${report.findings.length} findings:`);
  for (const [kind, distinct] of groupFindings(report.findings)) {
    const total = [...distinct.values()].reduce((a, d) => a + d.count, 0);
    lines.push(`  == ${kind} (${total}, ${distinct.size} distinct)`);
    for (const { count, first } of [...distinct.values()].slice(0, limitPerKind)) {
      lines.push(`    - ${first.detail} (${count}×)`);
      lines.push(`      reproducer${first.at === undefined ? '' : ` (case ${first.at})`}: ${first.reproducer}`);
    }
    if (distinct.size > limitPerKind) lines.push(`    … and ${distinct.size - limitPerKind} more`);
  }
  return lines.join('\n');
}
