/**
 * Opt-in tracing, by OpenTelemetry's standard variables: with `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-only
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, the worker, the webhook receiver and the client library export traces
 * over OTLP/HTTP; unset, nothing is set up at all. `OTEL_SERVICE_NAME` names the process (each has its default);
 * `OTEL_SDK_DISABLED=true` turns tracing off even with an endpoint set. The exporter reads
 * `OTEL_EXPORTER_OTLP_HEADERS` (and its other standard variables) itself.
 */
import { booleanText, EnvReader, httpUrl, type Env, type Parsed } from './env';

export interface TracingSettings {
  /** Where spans are POSTed (OTLP/HTTP, protobuf): the traces endpoint, or the base endpoint + `/v1/traces`. */
  tracesUrl: string;
  serviceName?: string;
}

const URL_EXPECTED = 'an http(s) URL, e.g. http://localhost:4318';

/** The tracing settings, or undefined when tracing is off. */
export function parseTracingSettings(env: Env): Parsed<TracingSettings | undefined> {
  const r = new EnvReader(env);
  const disabled = r.parse('OTEL_SDK_DISABLED', booleanText, false, 'true or false');
  const traces = r.parse('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', httpUrl, undefined, URL_EXPECTED);
  const base = r.parse('OTEL_EXPORTER_OTLP_ENDPOINT', httpUrl, undefined, URL_EXPECTED);
  const serviceName = r.text('OTEL_SERVICE_NAME');
  // The spec: a signal's own endpoint is used as it is; the base one gets the signal's path appended.
  const tracesUrl = traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  return r.result(disabled || !tracesUrl ? undefined : { tracesUrl, ...(serviceName ? { serviceName } : {}) });
}
