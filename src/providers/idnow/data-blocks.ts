/**
 * IDnow data blocks (`GET …/sessions/{sessionId}/datablocks`), in the three documented shapes, and the pure reader
 * that turns them into result references and the subject (identity: PII).
 */
import { z } from 'zod';
import type { JourneySubject } from '../../contract/journey-state';
import { parseOrThrow, ProviderResponseError } from '../errors';
import { lenient, lenientList, optionalText } from '../lenient';
import { statusKey } from '../status';
import { compact, isRecord } from '../util';

const PROVIDER = 'idnow' as const;

/**
 * One data block in any documented shape: (A) `datablockId` + `createdBy` + `content`, (B) `lastStep` + flat fields,
 * (C) `createdByStep` + flat fields and no id at all. Identity is in the `basicIdentity` block (`givenName`,
 * `familyName`, `birthDate`), in its `content` or flat.
 */
export const idnowDataBlockSchema = z.looseObject({
  datablockId: optionalText,
  dataBlockId: optionalText,
  id: optionalText,
  type: optionalText,
  status: optionalText,
  createdAt: optionalText,
  createdBy: lenient(z.looseObject({ stepId: optionalText, clock: z.unknown().optional() })),
  createdByStep: z.unknown().optional(),
  lastStep: lenient(z.looseObject({ stepId: optionalText })),
  content: lenient(z.record(z.string(), z.unknown())),
});
type IdnowDataBlock = z.infer<typeof idnowDataBlockSchema>;

/** `dataBlocks[]` (shapes A and B) or `datablocks[]` (shape C); a block of another shape is skipped, not fatal. */
export const idnowDataBlocksSchema = z.looseObject({
  dataBlocks: lenientList(idnowDataBlockSchema),
  datablocks: lenientList(idnowDataBlockSchema),
});

export interface IdnowDataBlocks {
  /** Keyed by the block type in camelCase (`DocumentVerification` → `documentVerification`); blocks with an id only. */
  results: Record<string, { dataBlockId: string }>;
  /** Identity fields found in the blocks (PII), when any. */
  subject?: JourneySubject;
}

function camel(type: string): string {
  return type.length > 0 ? type[0]!.toLowerCase() + type.slice(1) : type;
}

function firstString(fields: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = fields[n];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function subjectFrom(fields: Record<string, unknown>): JourneySubject {
  if (isRecord(fields.basicIdentity)) return subjectFrom(fields.basicIdentity);
  const lastNamesValue = fields.lastNames;
  const single = firstString(fields, 'lastName', 'familyName', 'surname');
  const lastNames =
    Array.isArray(lastNamesValue) && lastNamesValue.every((x) => typeof x === 'string')
      ? (lastNamesValue as string[])
      : single
        ? [single]
        : undefined;
  const address = fields.address;
  return compact({
    firstName: firstString(fields, 'firstName', 'givenName', 'givenNames'),
    lastNames,
    dateOfBirth: firstString(fields, 'dateOfBirth', 'birthDate'),
    address: isRecord(address) ? address : undefined,
  });
}

const isBasicIdentity = (block: IdnowDataBlock) => !!block.type && statusKey(block.type) === 'basicidentity';

export function normaliseIdnowDataBlocks(body: unknown): IdnowDataBlocks {
  const parsed = parseOrThrow(PROVIDER, idnowDataBlocksSchema, body);
  const blocks = parsed.dataBlocks ?? parsed.datablocks;
  if (!blocks)
    throw new ProviderResponseError(PROVIDER, 'dataBlocks', 'missing (neither dataBlocks nor datablocks is present)');
  const stored = blocks.filter((block) => !(block.status && statusKey(block.status) === 'deleted'));
  const results: Record<string, { dataBlockId: string }> = {};
  for (const block of stored) {
    const id = block.datablockId ?? block.dataBlockId ?? block.id;
    if (id && block.type) results[camel(block.type)] = { dataBlockId: id };
  }
  // The basicIdentity block is the identity; other blocks (document data) only fill what it lacks.
  let subject: JourneySubject = {};
  for (const block of [...stored.filter(isBasicIdentity), ...stored.filter((b) => !isBasicIdentity(b))]) {
    subject = { ...subjectFrom(block.content ?? block), ...subject };
  }
  return compact({ results, subject: Object.keys(subject).length > 0 ? subject : undefined });
}
