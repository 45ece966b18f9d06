/**
 * GBG GO configuration (v1 and v2 share it): a zod schema and a pure reader of GBG_* variables from an env record.
 * Two token grants are documented on the same endpoint: password (issued by the account manager) and
 * client_credentials with `scope=gbg.token` (portal clients); Keycloak tenants use the password grant.
 */
import { z } from 'zod';
import type { Env } from '../../config/env';
import { GBG_REGIONS } from '../../contract/identifiers';
import { blankToUndefined } from '../util';

export { GBG_REGIONS };
export const DEFAULT_GBG_TOKEN_URL = 'https://api.auth.gbgplc.com/as/token.oauth2';
/** `{region}` is replaced by the configured region or the workflow input's `environment`. */
export const DEFAULT_GBG_BASE_URL = 'https://{region}.platform.go.gbgplc.com';

const httpUrl = z.url({ protocol: /^https?$/ });
/** An http(s) URL once `{region}` is filled. */
const regionalUrl = z.string().refine((url) => httpUrl.safeParse(url.replace(/\{region\}/g, GBG_REGIONS[0])).success, {
  message: 'must be an http(s) URL ({region} is replaced by the region)',
});

export const gbgConfigSchema = z
  .object({
    /** May contain `{region}`: Keycloak tenants' token endpoint is on the regional host. */
    tokenUrl: regionalUrl.default(DEFAULT_GBG_TOKEN_URL),
    grant: z.enum(['password', 'client_credentials']),
    /** Sent with client_credentials (`gbg.token`). */
    scope: z.string().min(1).optional(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    region: z.enum(GBG_REGIONS).default('eu'),
    /** Host and path prefix before `/v2/captain` or `/captain/api`; may contain `{region}`. */
    baseUrl: regionalUrl.default(DEFAULT_GBG_BASE_URL),
  })
  .refine((c) => c.grant !== 'password' || (c.username && c.password), {
    message: 'the password grant needs GBG_USERNAME and GBG_PASSWORD',
    path: ['username'],
  });
export type GbgConfig = z.infer<typeof gbgConfigSchema>;

/** Which env var each field comes from, to name it in configuration errors. */
export const GBG_ENV_NAMES: Record<string, string> = {
  tokenUrl: 'GBG_TOKEN_URL',
  grant: 'GBG_GRANT',
  scope: 'GBG_SCOPE',
  clientId: 'GBG_CLIENT_ID',
  clientSecret: 'GBG_CLIENT_SECRET',
  username: 'GBG_USERNAME',
  password: 'GBG_PASSWORD',
  region: 'GBG_REGION',
  baseUrl: 'GBG_BASE_URL',
};

export const GBG_NOT_CONFIGURED =
  'set GBG_CLIENT_ID and GBG_CLIENT_SECRET (and GBG_USERNAME/GBG_PASSWORD for the password grant)';

/** The schema's input from GBG_* variables; undefined when neither client id nor secret is set (not configured). */
export function gbgConfigInput(env: Env): { input: z.input<typeof gbgConfigSchema>; issues: string[] } | undefined {
  const e = (name: string) => blankToUndefined(env[name]);
  if (!e('GBG_CLIENT_ID') && !e('GBG_CLIENT_SECRET')) return undefined;
  const username = e('GBG_USERNAME');
  const grant = e('GBG_GRANT') ?? (username ? 'password' : 'client_credentials');
  const input = {
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
  return { input, issues: [] };
}
