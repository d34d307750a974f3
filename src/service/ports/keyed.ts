// What a keyset listing returns: each row with its position, so the next page continues after it.

/** A row with its keyset position: pages continue strictly after the last key they returned. */
export interface Keyed<T> {
  key: number;
  item: T;
}
