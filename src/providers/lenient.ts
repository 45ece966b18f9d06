/**
 * Optional provider data: absent, null or of a shape we do not expect all read as absent, so a field we only report
 * can never cost a journey its status and decision (docs/providers.md, "Optional data never loses a journey").
 * Fields that decide (the status) stay strict and fail the body with a typed error instead.
 */
import { z } from 'zod';

export function lenient<T extends z.ZodType>(schema: T) {
  return schema.nullish().catch(undefined);
}

export const optionalText = lenient(z.string());

/** Keeps the entries that match `item`; entries of another shape are skipped, not fatal. */
function matching<T extends z.ZodType>(item: T, values: readonly unknown[]): z.output<T>[] {
  return values.flatMap((value) => {
    const parsed = item.safeParse(value);
    return parsed.success ? [parsed.data as z.output<T>] : [];
  });
}

/** A list read entry by entry (GBG's undocumented steps, IDnow's data blocks). */
export function lenientList<T extends z.ZodType>(item: T) {
  return lenient(z.array(z.unknown()).transform((values) => matching(item, values)));
}

/** A record read entry by entry (IDnow's `results` references). */
export function lenientRecord<T extends z.ZodType>(item: T) {
  return lenient(
    z
      .record(z.string(), z.unknown())
      .transform((record) =>
        Object.fromEntries(Object.entries(record).flatMap(([k, v]) => matching(item, [v]).map((d) => [k, d] as const))),
      ),
  );
}
