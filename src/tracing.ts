/**
 * Opt-in OpenTelemetry tracing (src/config/tracing: OTEL_EXPORTER_OTLP_ENDPOINT and friends). When on, a process
 * registers a tracer provider that batches spans to the OTLP/HTTP endpoint, and the Temporal SDK's OpenTelemetry
 * interceptors (@temporalio/interceptors-opentelemetry, at the SDK's version) carry the trace through Temporal
 * headers: webhook request → signal-with-start → workflow run → each fetchState → result. When off, nothing here
 * runs: no provider, no exporter, no interceptor.
 *
 * Span attributes are classes and counts (provider, HTTP status, outcome), never a journey's subject data.
 */
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { TracingSettings } from './config';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes what is batched and stops exporting. */
  shutdown(): Promise<void>;
}

/** Starts tracing for this process (the global tracer provider); undefined when the settings say off. */
export function startTracing(settings: TracingSettings | undefined, defaultServiceName: string): Tracing | undefined {
  if (!settings) return undefined;
  const resource = new Resource({ 'service.name': settings.serviceName ?? defaultServiceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl }), {
    scheduledDelayMillis: 1_000,
  });
  const provider = new NodeTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  // Global tracer, W3C trace-context propagation, and an AsyncLocalStorage context manager.
  provider.register();
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/**
 * For the client library: starts tracing as `defaultServiceName` unless the process has registered a tracer provider
 * already (a service with its own OpenTelemetry set-up keeps it). True when Temporal calls should be traced.
 */
export function ensureTracing(settings: TracingSettings | undefined, defaultServiceName: string): boolean {
  if (!settings) return false;
  const global = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const registered = global.getDelegate?.()?.constructor?.name !== 'NoopTracerProvider';
  if (!registered) startTracing(settings, defaultServiceName);
  return true;
}

/** The client interceptor that starts a span per Temporal call and puts the trace into the workflow's headers. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/** The workflow interceptor module; a prebuilt workflow bundle must include it (scripts/build-workflow-bundle). */
export const TRACING_WORKFLOW_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** Worker options for tracing: activity spans, the workflow's spans exported through a sink, client spans. */
export function tracingWorkerOptions(
  tracing: Tracing,
  opts: { bundled: boolean },
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      ...(opts.bundled ? {} : { workflowModules: [TRACING_WORKFLOW_MODULE] }),
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
