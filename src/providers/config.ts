/**
 * Provider configuration: one section per vendor (GBG GO, IDnow), each read from an env record by its own folder.
 * `parseProviderConfig(env)` (called by the configuration module, `src/config`) is pure and returns issues naming
 * env vars, never their values. A vendor with no client credentials set is "not configured".
 */
import { z } from 'zod';
import type { Env, Parsed } from '../config/env';
import { ConfigError } from '../config/errors';
import { GBG_ENV_NAMES, gbgConfigInput, gbgConfigSchema } from './gbg/config';
import { IDNOW_ENV_NAMES, idnowConfigInput, idnowConfigSchema } from './idnow/config';

export {
  DEFAULT_GBG_BASE_URL,
  DEFAULT_GBG_TOKEN_URL,
  GBG_REGIONS,
  gbgConfigSchema,
  type GbgConfig,
} from './gbg/config';
export { DEFAULT_IDNOW_BASE_URL, DEFAULT_IDNOW_TOKEN_URL, idnowConfigSchema, type IdnowConfig } from './idnow/config';

/** Each vendor's reader (issues it finds itself, and the schema input) and env var names. A new vendor adds a line. */
const SECTIONS = {
  gbg: { read: gbgConfigInput, envNames: GBG_ENV_NAMES },
  idnow: { read: idnowConfigInput, envNames: IDNOW_ENV_NAMES },
} as const;

const providerConfigSchema = z.object({
  gbg: gbgConfigSchema.optional(),
  idnow: idnowConfigSchema.optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** The ConfigError of provider settings (its `problems` name env vars, never values). */
export class ProviderConfigError extends ConfigError {
  override readonly name = 'ProviderConfigError';
}

/** Reads GBG_* and IDNOW_* env vars: a vendor with neither client id nor secret is left out (not configured). */
export function parseProviderConfig(env: Env): Parsed<ProviderConfig> {
  const input: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const [key, section] of Object.entries(SECTIONS)) {
    const read = section.read(env);
    if (!read) continue;
    input[key] = read.input;
    issues.push(...read.issues);
  }
  const parsed = providerConfigSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [section, field] = issue.path.map(String);
      const names: Record<string, string> | undefined = section
        ? SECTIONS[section as keyof typeof SECTIONS]?.envNames
        : undefined;
      const name = (field && names?.[field]) || issue.path.join('.');
      issues.push(
        issue.code === 'invalid_type' && env[name] === undefined ? `${name}: missing` : `${name}: ${issue.message}`,
      );
    }
  }
  return issues.length > 0 || !parsed.success ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/** `parseProviderConfig`, throwing a ProviderConfigError that names every bad env var. */
export function providerConfigFromEnv(env: Env): ProviderConfig {
  const parsed = parseProviderConfig(env);
  if (!parsed.ok) throw new ProviderConfigError(parsed.issues);
  return parsed.value;
}
