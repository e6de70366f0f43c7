import ms from 'ms';

/** A duration the topology gives ("6h", "365d"), in milliseconds; the schema has checked its form. */
export function topologyDuration(field: string, value: string): number {
  const n = ms(value as ms.StringValue);
  if (typeof n !== 'number' || !(n >= 1000)) throw new Error(`${field}: not a duration of a second or more: ${value}`);
  return n;
}
