/** IDnow configuration: a zod schema and a pure reader of IDNOW_* variables from an env record. */
import { z } from 'zod';
import { environmentProblem } from '../../contract/identifiers';
import { booleanText, type Env } from '../../config/env';
import { blankToUndefined } from '../util';

export const DEFAULT_IDNOW_BASE_URL = 'https://api.eu.platform.idnow.io';
export const DEFAULT_IDNOW_TOKEN_URL = 'https://auth.eu.platform.idnow.io/oidc/token';

const url = z.url({ protocol: /^https?$/ });

export const idnowConfigSchema = z
  .object({
    baseUrl: url.default(DEFAULT_IDNOW_BASE_URL),
    tokenUrl: url.default(DEFAULT_IDNOW_TOKEN_URL),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    /**
     * client_secret_post (`post`), or client_secret_basic: `basic` sends Base64(id:secret) as IDnow documents it,
     * `basic-urlencoded` form-encodes id and secret first (RFC 6749 §2.3.1). They differ only for reserved characters.
     */
    clientAuth: z.enum(['post', 'basic', 'basic-urlencoded']).default('post'),
    environment: z
      .string()
      .refine((e) => environmentProblem(e) === undefined, 'must be 1–32 characters of a–z, 0–9 and "-"')
      .default('live'),
    /** Fetch the data blocks of a completed session (identity data): off by default, data minimisation. */
    fetchDataBlocks: z.boolean().default(false),
  })
  .refine((c) => c.clientAuth !== 'basic' || !c.clientId.includes(':'), {
    message: 'contains ":", which HTTP Basic cannot carry unencoded (use IDNOW_CLIENT_AUTH=basic-urlencoded or post)',
    path: ['clientId'],
  });
export type IdnowConfig = z.infer<typeof idnowConfigSchema>;

export const IDNOW_ENV_NAMES: Record<string, string> = {
  baseUrl: 'IDNOW_BASE_URL',
  tokenUrl: 'IDNOW_TOKEN_URL',
  clientId: 'IDNOW_CLIENT_ID',
  clientSecret: 'IDNOW_CLIENT_SECRET',
  clientAuth: 'IDNOW_CLIENT_AUTH',
  environment: 'IDNOW_ENVIRONMENT',
  fetchDataBlocks: 'IDNOW_FETCH_DATABLOCKS',
};

export const IDNOW_NOT_CONFIGURED = 'set IDNOW_CLIENT_ID and IDNOW_CLIENT_SECRET';

/** The schema's input from IDNOW_* variables; undefined when neither client id nor secret is set (not configured). */
export function idnowConfigInput(env: Env): { input: z.input<typeof idnowConfigSchema>; issues: string[] } | undefined {
  const e = (name: string) => blankToUndefined(env[name]);
  if (!e('IDNOW_CLIENT_ID') && !e('IDNOW_CLIENT_SECRET')) return undefined;
  const fetchDataBlocks = booleanText.optional().safeParse(e('IDNOW_FETCH_DATABLOCKS'));
  const input = {
    baseUrl: e('IDNOW_BASE_URL'),
    tokenUrl: e('IDNOW_TOKEN_URL'),
    clientId: e('IDNOW_CLIENT_ID') as string,
    clientSecret: e('IDNOW_CLIENT_SECRET') as string,
    clientAuth: e('IDNOW_CLIENT_AUTH') as IdnowConfig['clientAuth'] | undefined,
    environment: e('IDNOW_ENVIRONMENT'),
    fetchDataBlocks: fetchDataBlocks.data,
  };
  return { input, issues: fetchDataBlocks.success ? [] : ['IDNOW_FETCH_DATABLOCKS: must be true or false'] };
}
