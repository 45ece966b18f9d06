export { DEFAULT_SIMULATOR_CREDENTIALS, startSimulator } from './server';
export type {
  JourneyOptions,
  JourneyProgressInfo,
  Simulator,
  SimulatorCredentials,
  SimulatorOptions,
  SimulatorStats,
} from './server';
export { DEFAULT_SCRIPT, expandScript, parseStep, ScriptError, scriptFromJourneyId } from './script';
export type { ScriptEntry, SimStatus, SimStep } from './script';
export { createSigningKey, signJwt, type SigningKey } from './jwt';
export type { GbgWebhookAuth, WebhookOptions, WebhookResult } from './webhooks';
