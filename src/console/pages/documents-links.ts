// Links to the document pages: from a Run Command task or invocation to the document and version it
// recorded, and who owns a document, said the way the AWS console says it (Amazon, Self, or the account
// that shared it).

import type { DocumentView } from '../../service/documents.ts';
import { type PageContext, seg } from '../context.ts';
import { html, type Markup } from '../html.ts';

/**
 * The name the document page looks a document up by. A task may name its document by ARN: Amazon's
 * (`arn:aws:ssm:us-east-1::document/AWS-RunShellScript`) and the account's own are found by their short
 * name; another account's ARN is kept whole, as the document APIs take a shared document.
 */
export function documentLookupName(recorded: string, account: string): string {
  const arn = /^arn:[^:]+:ssm:[^:]*:(\d*):document\/(.+)$/.exec(recorded);
  if (!arn) return recorded;
  return arn[1] === '' || arn[1] === account ? arn[2] : recorded;
}

/**
 * The console URL of a document, at the version recorded (`$DEFAULT`, `$LATEST`, a number) if any;
 * `format` and `vnext` (the versions table's page) are the document page's other query parameters.
 */
export function documentHref(ctx: PageContext, name: string, query: { version?: string; format?: string; vnext?: string } = {}): string {
  return ctx.href(`/console/documents/${seg(documentLookupName(name, ctx.scope.account))}`, query);
}

/**
 * `AWS-RunShellScript, version $DEFAULT` as a link to that document at that version: the version as the
 * task or command recorded it, `$DEFAULT` when it named none (as SendCommand takes it).
 */
export function documentLink(ctx: PageContext, name: string, version: string | undefined): Markup {
  const shown = version ?? '$DEFAULT';
  return html`<a class="document-link" href="${documentHref(ctx, name, { version: shown })}">${name}</a>, version <code>${shown}</code>`;
}

/** The document and version a RUN_COMMAND or AUTOMATION invocation's recorded Parameters name, if they do. */
export function recordedDocument(parameters: string | undefined): { name: string; version?: string } | undefined {
  try {
    const sent = JSON.parse(parameters ?? '') as Record<string, unknown>;
    if (typeof sent?.documentName !== 'string') return undefined;
    return { name: sent.documentName, version: typeof sent.documentVersion === 'string' ? sent.documentVersion : undefined };
  } catch {
    return undefined;
  }
}

/** Amazon, Self, or the account id of the account that shared it. */
export function ownerLabel(ctx: PageContext, d: Pick<DocumentView, 'builtIn' | 'owner'>): string {
  if (d.builtIn) return 'Amazon';
  return d.owner === ctx.scope.account ? 'Self' : d.owner;
}
