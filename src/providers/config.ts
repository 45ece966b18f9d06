/**
 * Provider configuration: a plain typed object (zod-validated), built from env vars by the configuration
 * module (`src/config`) with `parseProviderConfig(env)`. A provider family without client credentials is "not configured".
 */
import { z } from 'zod';
import { booleanText, type Env, type Parsed } from '../config/env';

export const GBG_REGIONS = ['eu', 'us', 'au'] as const;
export const DEFAULT_GBG_TOKEN_URL = 'https://api.auth.gbgplc.com/as/token.oauth2';
/** `{region}` is replaced by the configured region or the workflow input's `environment`. */
export const DEFAULT_GBG_BASE_URL = 'https://{region}.platform.go.gbgplc.com';
export const DEFAULT_IDNOW_BASE_URL = 'https://api.eu.platform.idnow.io';
export const DEFAULT_IDNOW_TOKEN_URL = 'https://auth.eu.platform.idnow.io/oidc/token';

const url = z.url({ protocol: /^https?$/ });

export const gbgConfigSchema = z
  .object({
    tokenUrl: url.default(DEFAULT_GBG_TOKEN_URL),
    grant: z.enum(['password', 'client_credentials']),
    /** Sent with client_credentials (`gbg.token`). */
    scope: z.string().min(1).optional(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    region: z.enum(GBG_REGIONS).default('eu'),
    /** Host and path prefix before `/v2/captain` or `/captain/api`; may contain `{region}`. */
    baseUrl: z.string().min(1).default(DEFAULT_GBG_BASE_URL),
  })
  .refine((c) => c.grant !== 'password' || (c.username && c.password), {
    message: 'the password grant needs GBG_USERNAME and GBG_PASSWORD',
    path: ['username'],
  });
export type GbgConfig = z.infer<typeof gbgConfigSchema>;

export const idnowConfigSchema = z.object({
  baseUrl: url.default(DEFAULT_IDNOW_BASE_URL),
  tokenUrl: url.default(DEFAULT_IDNOW_TOKEN_URL),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /**
   * client_secret_post (`post`), or client_secret_basic: `basic` sends Base64(id:secret) as IDnow documents it,
   * `basic-urlencoded` form-encodes id and secret first (RFC 6749 §2.3.1). They differ only for reserved characters.
   */
  clientAuth: z.enum(['post', 'basic', 'basic-urlencoded']).default('post'),
  environment: z.string().regex(/^[a-z0-9-]+$/).default('live'),
  /** Fetch the data blocks of a completed session (identity data): off by default, data minimisation. */
  fetchDataBlocks: z.boolean().default(false),
}).refine((c) => c.clientAuth !== 'basic' || !c.clientId.includes(':'), {
  message: 'contains ":", which HTTP Basic cannot carry unencoded (use IDNOW_CLIENT_AUTH=basic-urlencoded or post)',
  path: ['clientId'],
});
export type IdnowConfig = z.infer<typeof idnowConfigSchema>;

export const providerConfigSchema = z.object({
  gbg: gbgConfigSchema.optional(),
  idnow: idnowConfigSchema.optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type ProviderConfigInput = z.input<typeof providerConfigSchema>;

export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError';
}

function blankToUndefined(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

const ENV_NAMES: Record<string, Record<string, string>> = {
  gbg: {
    tokenUrl: 'GBG_TOKEN_URL', grant: 'GBG_GRANT', scope: 'GBG_SCOPE', clientId: 'GBG_CLIENT_ID',
    clientSecret: 'GBG_CLIENT_SECRET', username: 'GBG_USERNAME', password: 'GBG_PASSWORD', region: 'GBG_REGION', baseUrl: 'GBG_BASE_URL',
  },
  idnow: {
    baseUrl: 'IDNOW_BASE_URL', tokenUrl: 'IDNOW_TOKEN_URL', clientId: 'IDNOW_CLIENT_ID', clientSecret: 'IDNOW_CLIENT_SECRET',
    clientAuth: 'IDNOW_CLIENT_AUTH', environment: 'IDNOW_ENVIRONMENT', fetchDataBlocks: 'IDNOW_FETCH_DATABLOCKS',
  },
};

/**
 * Reads GBG_* and IDNOW_* env vars. A family with neither client id nor secret is left out (not configured);
 * anything half-set or malformed is an issue naming the env var (never its value).
 */
export function parseProviderConfig(env: Env): Parsed<ProviderConfig> {
  const e = (name: string) => blankToUndefined(env, name);
  const out: ProviderConfigInput = {};
  const issues: string[] = [];
  if (e('GBG_CLIENT_ID') || e('GBG_CLIENT_SECRET')) {
    const username = e('GBG_USERNAME');
    const grant = e('GBG_GRANT') ?? (username ? 'password' : 'client_credentials');
    out.gbg = {
      tokenUrl: e('GBG_TOKEN_URL'),
      grant: grant as GbgConfig['grant'],
      scope: e('GBG_SCOPE') ?? (grant === 'client_credentials' ? 'gbg.token' : undefined),
      clientId: e('GBG_CLIENT_ID') as string,
      clientSecret: e('GBG_CLIENT_SECRET') as string,
      username,
      password: e('GBG_PASSWORD'),
      region: e('GBG_REGION') as GbgConfig['region'] | undefined,
      baseUrl: e('GBG_BASE_URL'),
    };
  }
  if (e('IDNOW_CLIENT_ID') || e('IDNOW_CLIENT_SECRET')) {
    const fetchDataBlocks = booleanText.optional().safeParse(e('IDNOW_FETCH_DATABLOCKS'));
    if (!fetchDataBlocks.success) issues.push('IDNOW_FETCH_DATABLOCKS: must be true or false');
    out.idnow = {
      baseUrl: e('IDNOW_BASE_URL'),
      tokenUrl: e('IDNOW_TOKEN_URL'),
      clientId: e('IDNOW_CLIENT_ID') as string,
      clientSecret: e('IDNOW_CLIENT_SECRET') as string,
      clientAuth: e('IDNOW_CLIENT_AUTH') as IdnowConfig['clientAuth'] | undefined,
      environment: e('IDNOW_ENVIRONMENT'),
      fetchDataBlocks: fetchDataBlocks.data,
    };
  }
  const parsed = providerConfigSchema.safeParse(out);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [family, field] = issue.path.map(String);
      const name = (family && field && ENV_NAMES[family]?.[field]) || issue.path.join('.');
      issues.push(issue.code === 'invalid_type' && env[name] === undefined ? `${name}: missing` : `${name}: ${issue.message}`);
    }
  }
  return issues.length > 0 || !parsed.success ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/** `parseProviderConfig`, throwing a ProviderConfigError that names every bad env var. */
export function providerConfigFromEnv(env: Env): ProviderConfig {
  const parsed = parseProviderConfig(env);
  if (!parsed.ok) throw new ProviderConfigError(`invalid provider configuration: ${parsed.issues.join('; ')}`);
  return parsed.value;
}
