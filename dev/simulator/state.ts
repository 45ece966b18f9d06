/**
 * The simulator's state, shared by its route modules: credentials, issued tokens, scripted journeys and their runs,
 * request statistics. No HTTP here.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import {
  DEFAULT_SCRIPT,
  expandScript,
  ScriptError,
  scriptFromJourneyId,
  type ScriptEntry,
  type SimStep,
} from './script';

export type Family = 'gbg' | 'idnow';
/** Who issues a token: a family's endpoint, or GBG's Keycloak (fabric tenants, as short as 300 s). */
export type TokenIssuer = Family | 'gbgKeycloak';

export interface SimulatorCredentials {
  gbg: { clientId: string; clientSecret: string; username: string; password: string; scope: string };
  idnow: { clientId: string; clientSecret: string };
}

export const DEFAULT_SIMULATOR_CREDENTIALS: SimulatorCredentials = {
  gbg: {
    clientId: 'sim-gbg-client',
    clientSecret: 'sim-gbg-secret',
    username: 'sim-user',
    password: 'sim-password',
    scope: 'gbg.token',
  },
  idnow: { clientId: 'sim-idnow-client', clientSecret: 'sim-idnow-secret' },
};

export interface JourneyOptions {
  /** Body shape: GBG v2 `live`|`docs`|`sdk`, GBG v1 `api`|`guide`, IDnow `io`|`sx`. Steps may override. */
  variant?: string;
  /** IDnow data-block shape: `A` (default), `B`, `C`. */
  dataBlocksShape?: 'A' | 'B' | 'C';
  /**
   * IDnow data-block replies, one per request, the last repeating: a shape (`A`, `B`, `C`), an HTTP status
   * (`503`), `malformed` (not JSON) or `invalid` (no known shape). Default: `dataBlocksShape` forever.
   */
  dataBlocksScript?: readonly string[];
}

export interface JourneyProgressInfo {
  provider: JourneyProvider;
  journeyId: string;
  fetches: number;
  step: number;
  steps: number;
  lastStatus?: string;
}

export interface SimulatorStats {
  tokenRequests: Record<Family, number>;
  tokensIssued: Record<Family, number>;
  idnowClientAuth: { post: number; basic: number };
  stateRequests: Record<JourneyProvider, number>;
  dataBlockRequests: number;
  /** State and data-block requests answered with the outage's status. */
  outageReplies: number;
  rejectedAuth: { missing: number; wrong: number; expired: number };
}

export interface JourneyRun {
  provider: JourneyProvider;
  journeyId: string;
  steps: SimStep[];
  options: JourneyOptions;
  index: number;
  fetches: number;
  dataBlockFetches: number;
  createdAt: string;
  lastStatus?: string;
}

/** A reply the routes send as is: status and JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function emptyStats(): SimulatorStats {
  return {
    tokenRequests: { gbg: 0, idnow: 0 },
    tokensIssued: { gbg: 0, idnow: 0 },
    idnowClientAuth: { post: 0, basic: 0 },
    stateRequests: { 'gbg-go-v2': 0, 'gbg-go-v1': 0, idnow: 0 },
    dataBlockRequests: 0,
    outageReplies: 0,
    rejectedAuth: { missing: 0, wrong: 0, expired: 0 },
  };
}

/** Constant-time comparison of a presented credential. */
export function same(a: string | null | undefined, b: string): boolean {
  if (a === undefined || a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type AuthFailure = 'missing' | 'wrong' | 'expired';

export class SimulatorState {
  stats = emptyStats();
  private readonly tokens = new Map<string, { family: Family; expiresAt: number }>();
  private readonly scripted = new Map<string, { steps: SimStep[]; options: JourneyOptions }>();
  private readonly runs = new Map<string, JourneyRun>();
  private requestCounter = 0;
  /**
   * A provider outage: while set, every state and data-block request answers this HTTP status, and no journey's
   * script moves on (the journeys themselves carry on at the provider: their next step waits for the outage's end).
   */
  outage: { httpStatus: number } | undefined;

  constructor(
    readonly credentials: SimulatorCredentials,
    readonly now: () => number,
    private readonly ttlSeconds: Record<TokenIssuer, number>,
    private readonly defaultScript: readonly ScriptEntry[] = DEFAULT_SCRIPT,
  ) {}

  private key(provider: JourneyProvider, journeyId: string): string {
    return `${provider}\u0000${journeyId}`;
  }

  nextRequestId(): string {
    return `sim-req-${++this.requestCounter}`;
  }

  script(
    provider: JourneyProvider,
    journeyId: string,
    script: readonly ScriptEntry[],
    options: JourneyOptions = {},
  ): number {
    const steps = expandScript(script);
    this.scripted.set(this.key(provider, journeyId), { steps, options });
    this.runs.delete(this.key(provider, journeyId));
    return steps.length;
  }

  /** The journey's run, created on its first fetch from its script, the naming convention, or the default script. */
  runFor(provider: JourneyProvider, journeyId: string): JourneyRun {
    const k = this.key(provider, journeyId);
    let run = this.runs.get(k);
    if (!run) {
      const given = this.scripted.get(k);
      let steps: SimStep[];
      try {
        steps = given?.steps ?? expandScript(scriptFromJourneyId(journeyId) ?? this.defaultScript);
      } catch (err) {
        if (err instanceof ScriptError)
          throw new HttpError(400, { error: `simulator naming convention: ${err.message}` });
        throw err;
      }
      run = {
        provider,
        journeyId,
        steps,
        options: given?.options ?? {},
        index: 0,
        fetches: 0,
        dataBlockFetches: 0,
        createdAt: new Date(this.now()).toISOString(),
      };
      this.runs.set(k, run);
    }
    return run;
  }

  /** The step answering this fetch (the last one repeats). */
  nextStep(run: JourneyRun): SimStep {
    const step = run.steps[Math.min(run.index, run.steps.length - 1)]!;
    run.index++;
    run.fetches++;
    return step;
  }

  progress(provider: JourneyProvider, journeyId: string): JourneyProgressInfo | undefined {
    const run = this.runs.get(this.key(provider, journeyId));
    if (!run) return undefined;
    return {
      provider,
      journeyId,
      fetches: run.fetches,
      step: Math.min(run.index, run.steps.length),
      steps: run.steps.length,
      ...(run.lastStatus ? { lastStatus: run.lastStatus } : {}),
    };
  }

  issueToken(
    family: Family,
    issuer: TokenIssuer = family,
  ): { access_token: string; token_type: string; expires_in: number } {
    const token = `sim-${family}-${randomBytes(24).toString('base64url')}`;
    const ttl = this.ttlSeconds[issuer];
    this.tokens.set(token, { family, expiresAt: this.now() + ttl * 1000 });
    this.stats.tokensIssued[family]++;
    return { access_token: token, token_type: 'Bearer', expires_in: ttl };
  }

  /** Why the Authorization header does not carry a valid bearer token of the family, or undefined when it does. */
  checkBearer(authorization: string | undefined, family: Family): AuthFailure | undefined {
    const m = authorization ? /^Bearer (.+)$/i.exec(authorization) : null;
    const entry = m ? this.tokens.get(m[1]!) : undefined;
    const failure: AuthFailure | undefined = !m
      ? 'missing'
      : !entry || entry.family !== family
        ? 'wrong'
        : this.now() >= entry.expiresAt
          ? 'expired'
          : undefined;
    if (failure) this.stats.rejectedAuth[failure]++;
    return failure;
  }

  expireTokens(): void {
    for (const entry of this.tokens.values()) entry.expiresAt = Math.min(entry.expiresAt, this.now());
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  reset(): void {
    this.outage = undefined;
    this.tokens.clear();
    this.scripted.clear();
    this.runs.clear();
    this.stats = emptyStats();
  }
}
