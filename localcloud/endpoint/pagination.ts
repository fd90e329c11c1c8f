import { AwsError } from "../kernel/aws-error";

/**
 * One page of a list, for the list operations' `maxResults` / `nextToken` (or `MaxItems` / `Marker`): the token is
 * the opaque offset of the next item, so a list read in pages returns every item once while it does not change.
 */
export function page<T>(items: readonly T[], options: { max: unknown; token: unknown; limit: number; defaultMax?: number; error: (message: string) => AwsError }): { items: T[]; next?: string } {
  const max = options.max === undefined || options.max === null || options.max === 0 ? (options.defaultMax ?? options.limit) : Number(options.max);
  if (!Number.isInteger(max) || max < 1 || max > options.limit) throw options.error(`The page size must be an integer from 1 to ${options.limit}, but ${String(options.max)} was given.`);
  let start = 0;
  if (options.token !== undefined && options.token !== null && options.token !== "") {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(String(options.token), "base64url").toString("utf8"));
    if (!decoded) throw options.error(`Invalid pagination token: ${String(options.token)}`);
    start = Number(decoded[1]);
  }
  const slice = items.slice(start, start + max);
  const end = start + slice.length;
  return { items: slice, ...(end < items.length ? { next: Buffer.from(`offset:${end}`).toString("base64url") } : {}) };
}

/** A timestamp as the JSON protocols carry it: seconds since the epoch, with milliseconds as the fraction. */
export function epochSeconds(date: Date | number): number {
  return (typeof date === "number" ? date : date.getTime()) / 1000;
}
