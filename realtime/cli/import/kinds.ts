import type { EventType } from '../../../domain/events/schemas';
import { boolean, lowerText, number, text, type Convert } from './convert';

export interface KindColumn {
  /** The CSV header and the `data` field it fills: the same name. */
  name: string;
  convert: Convert;
  optional?: boolean;
}

export interface ImportKind {
  name: 'items' | 'locations' | 'stock';
  type: EventType;
  columns: KindColumn[];
  /** Stock rows add up: two equal rows are two receipts, so their ids also carry the line. */
  countsEachRow: boolean;
}

export const kinds: ImportKind[] = [
  {
    name: 'items',
    type: 'item.upserted',
    countsEachRow: false,
    columns: [
      { name: 'sku', convert: text },
      { name: 'name', convert: text },
      { name: 'unitCost', convert: number },
      { name: 'unitPrice', convert: number },
      { name: 'safetyStock', convert: number, optional: true },
    ],
  },
  {
    name: 'locations',
    type: 'location.upserted',
    countsEachRow: false,
    columns: [
      { name: 'locationId', convert: text },
      { name: 'name', convert: text },
      { name: 'kind', convert: lowerText },
      { name: 'region', convert: text },
      { name: 'shipsToCustomers', convert: boolean },
      { name: 'priority', convert: number },
    ],
  },
  {
    name: 'stock',
    type: 'stock.received',
    countsEachRow: true,
    columns: [
      { name: 'locationId', convert: text },
      { name: 'sku', convert: text },
      { name: 'qty', convert: number },
      { name: 'reference', convert: text, optional: true },
    ],
  },
];

export type KindName = ImportKind['name'];
export const kindNames = kinds.map((k) => k.name);
export const findKind = (name: string): ImportKind | undefined => kinds.find((k) => k.name === name);
