// One Amazon document of the catalogue: its content, and the facts about it that its content cannot say.
// Everything else (schema version, parameters, platform types, hash) is read from the content by the same
// parser the account's own documents go through (documents.ts).

import type { Platform } from '../document-actions.ts';

export interface CatalogueEntry {
  name: string;
  documentType: 'Command' | 'Automation' | 'Session';
  /** The format the content is written in, GetDocument's default. The catalogue's content is JSON. */
  documentFormat: 'JSON';
  /** Epoch milliseconds; fixed, as a published document's creation time is. */
  createdAt: number;
  /** DescribeDocument's TargetType, where AWS gives the document one. */
  targetType?: string;
  /** Only where AWS lists fewer platforms than the content's plugins run on. */
  platformTypes?: Platform[];
  /** The content exactly as GetDocument returns it in JSON; its SHA-256 is the Hash. */
  content: string;
}

/** A fixed creation time. [I] AWS's own creation dates are not recorded here; these only stay put. */
export const published = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day);
