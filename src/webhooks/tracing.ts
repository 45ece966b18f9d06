/**
 * The webhook request's span (OpenTelemetry API only: a no-op unless the process started tracing, src/tracing):
 * the signal-with-start's span, and through Temporal's headers the journey's workflow, become its children.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

export async function withWebhookSpan<T extends string>(provider: string, fn: () => Promise<T>): Promise<T> {
  const route = `/webhooks/${provider}`;
  return trace.getTracer('journey-await').startActiveSpan(
    `POST ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': route, 'journey.provider': provider },
    },
    context.active(),
    async (span) => {
      try {
        const outcome = await fn();
        span.setAttribute('journey.webhook.outcome', outcome);
        return outcome;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
