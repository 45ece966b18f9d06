/**
 * The tables of docs/performance.md are written by the bench, so the page always shows the last full run. Each
 * table lives between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`; a full run replaces what is between
 * them, with one dated line on top. A quick run's small numbers are not representative, so it writes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResults } from './main';
import type { HistoryEconomyResult } from './history-economy';
import type { ScaleStep } from './scale';
import { dollarsPerThousandJourneys, type WaitingCostResult, type WaitingCostRow } from './waiting-cost';

type CpuMsPerPoll = ScaleStep['cpuMsPerPoll'];

export const PERFORMANCE_DOC = path.resolve(__dirname, '..', 'docs', 'performance.md');

export class BenchDocError extends Error {
  override name = 'BenchDocError';
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export function dateLine(results: Pick<BenchResults, 'startedAt' | 'machine'>, extra = ''): string {
  return `Measured ${results.startedAt.slice(0, 10)} on ${results.machine.cpus} cores${extra}.`;
}

/** Replaces each named block's content; a block the page lacks is an error, so a renamed marker is not lost. */
export function replaceBenchBlocks(doc: string, blocks: Record<string, string>): string {
  let out = doc;
  for (const [name, content] of Object.entries(blocks)) {
    const open = `<!-- bench:${name} -->`;
    const close = `<!-- /bench:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start === -1 || end < start) throw new BenchDocError(`docs/performance.md has no ${open} … ${close} block`);
    out = `${out.slice(0, start + open.length)}\n${content.trim()}\n${out.slice(end)}`;
  }
  return out;
}

const thousands = (n: number) => n.toLocaleString('en-US');

function historyTable(results: BenchResults): string | undefined {
  const economy = results.historyEconomy;
  if (!economy?.length) return undefined;
  const column = (pick: (p: HistoryEconomyResult) => string) => economy.map(pick);
  const rows: string[][] = [
    [
      'product: history events / bytes',
      ...column((p) => `${p.product.cycleEvents.median} / ${thousands(p.product.cycleBytes.median)}`),
    ],
    [
      'naive loop (activity, raw body kept): events / bytes',
      ...column((p) => (p.naive ? `${p.naive.cycleEvents.median} / ${thousands(p.naive.cycleBytes.median)}` : '–')),
    ],
    ['product: fetch result recorded per poll (bytes)', ...column((p) => String(p.product.resultPayloadBytes.median))],
    [
      'billable actions per poll (completed journey, median)',
      ...column((p) => String(p.product.actionsPerPoll.median)),
    ],
  ];
  return `${dateLine(results)}\n\n${markdownTable(['per in-progress poll cycle (median)', ...economy.map((p) => p.provider)], rows)}`;
}

/** The scale steps at the largest N both loops held (journeys on the dev server, the sleep loop), if any. */
function commonScaleStep(results: BenchResults): { n: number; journey: CpuMsPerPoll; sleep: CpuMsPerPoll } | undefined {
  const journeys = results.scale?.find((s) => s.kind === 'journey' && !('workers' in s));
  const sleeps = results.scale?.find((s) => s.kind === 'sleep');
  if (!journeys || !sleeps) return undefined;
  const n = journeys.steps
    .filter((j) => j.held && sleeps.steps.some((s: ScaleStep) => s.held && s.n === j.n))
    .map((j) => j.n)
    .at(-1);
  const journey = journeys.steps.find((s) => s.n === n)?.cpuMsPerPoll;
  const sleep = sleeps.steps.find((s) => s.n === n)?.cpuMsPerPoll;
  if (n === undefined || !journey?.server || !sleep?.server) return undefined;
  return { n, journey, sleep };
}

const totalCpu = (c: CpuMsPerPoll) => c.worker + (c.server ?? 0) + (c.simulator ?? 0);

/** CPU per unit at the largest N both loops held, as `costComparison` in main.ts prints it. */
function cpuTable(results: BenchResults): string | undefined {
  const common = commonScaleStep(results);
  if (!common) return undefined;
  const { n, journey, sleep } = common;
  const journeys = results.scale!.find((s) => s.kind === 'journey' && !('workers' in s))!;
  const sleeps = results.scale!.find((s) => s.kind === 'sleep')!;
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const rows = [
    ['journey poll', ms(journey.worker), ms(journey.server!), ms(journey.simulator ?? 0), ms(totalCpu(journey))],
    ['sleep-loop wake-up', ms(sleep.worker), ms(sleep.server!), '–', ms(totalCpu(sleep))],
  ];
  const held = `; journeys held ${thousands(journeys.maxHeldN)}, the sleep loop ${thousands(sleeps.maxHeldN)}`;
  return `${dateLine(results, `, N=${thousands(n)}${held}`)}\n\n${markdownTable(['CPU per poll or wake-up', 'worker', 'Temporal server', 'simulator', 'total'], rows)}`;
}

/** A journey poll's CPU (worker + server + simulator, ms): this run's scale scenario, else the page's last one. */
export function journeyPollCpuMs(results: BenchResults, doc: string): number | undefined {
  const common = commonScaleStep(results);
  if (common) return totalCpu(common.journey);
  const block = /<!-- bench:cpu-per-unit -->([\s\S]*?)<!-- \/bench:cpu-per-unit -->/.exec(doc)?.[1];
  const total = block && /^\| journey poll \|.*\| ([\d.]+) ms \|$/m.exec(block)?.[1];
  return total ? Number(total) : undefined;
}

/** The receiver's memory before, at peak and after rest, per way it was started (MiB). */
function soakTable(results: BenchResults): string | undefined {
  const soaks = results.webhookSoak;
  if (!soaks?.length) return undefined;
  const mib = (n: number) => String(Math.round(n));
  const rows = soaks.map((w) => [
    w.receiver,
    [w.rssMb.before, w.rssMb.peak, w.rssMb.afterRest].map(mib).join(' / '),
    [w.memory.before, w.memory.peak, w.memory.afterRest].map((m) => mib(m.heapUsedMb)).join(' / '),
    `${mib(w.memory.peak.newSpaceMb)} → ${mib(w.memory.afterRest.newSpaceMb)}`,
  ]);
  const { requests, concurrency, restMs } = soaks[0]!.options;
  return [
    dateLine(
      results,
      `, ${results.machine.memGiB} GiB; ${thousands(requests)} webhooks, ${concurrency} at a time, then ${restMs / 1000} s of rest`,
    ),
    '',
    markdownTable(
      [
        'receiver',
        'RSS before / peak / after rest',
        'V8 heap used before / at peak / after rest',
        'new space committed at peak → after rest',
      ],
      rows,
    ),
  ].join('\n');
}

function webhookLine(results: BenchResults): string | undefined {
  const w = results.webhook;
  if (!w) return undefined;
  return (
    `${dateLine(results)} A webhook ends a journey ${w.webhookToCompletionMs.median} ms (median; p99 ` +
    `${w.webhookToCompletionMs.p99} ms) after the provider completes it, against ` +
    `${(w.pollOnlyToCompletionMs.median / 1000).toFixed(1)} s (p99 ${(w.pollOnlyToCompletionMs.p99 / 1000).toFixed(1)} s) by polling alone.`
  );
}

const WAY_NAMES = { default: 'default', preset: 'preset `webhooks`', naive: 'naive activity loop' } as const;

/** One journey's row: CPU only where a poll's CPU is measured (the product's successful polls). */
function waitingRow(row: WaitingCostRow, cpuMsPerPoll: number | undefined): string[] {
  const productPolls = row.way !== 'naive' && row.failedPolls === 0;
  const cpu = productPolls && cpuMsPerPoll !== undefined ? `${((row.polls * cpuMsPerPoll) / 1000).toFixed(1)} s` : '–';
  const dollars = dollarsPerThousandJourneys(row);
  return [
    row.outage ? `${row.hours} h of provider outage` : `${row.hours} h`,
    WAY_NAMES[row.way],
    row.ended,
    row.failedPolls === row.polls && row.polls > 0 ? `${thousands(row.polls)}, all failed` : thousands(row.polls),
    thousands(row.actions),
    `${thousands(row.events)} (${row.runs})`,
    thousands(row.bytes),
    cpu,
    dollars >= 100 ? thousands(Math.round(dollars)) : dollars.toFixed(2),
  ];
}

const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

/** The preset against the default over 24 h, and whether its first 15 minutes waited as the default's did. */
export function presetAgainstDefault(waiting: WaitingCostResult): string | undefined {
  const day = (way: WaitingCostRow['way']) => waiting.rows.find((r) => r.way === way && r.hours === 24 && !r.outage);
  const preset = day('preset');
  const base = day('default');
  if (!preset || !base) return undefined;
  const waits = preset.firstQuarterHourWaitsS ?? [];
  const first = waiting.presetFirst15MinAsDefault
    ? `its first 15 minutes poll exactly as the default does (the same ${waits.length} waits, ${[...new Set(waits)].join(', ')} s)`
    : `its first 15 minutes do NOT poll as the default does`;
  return (
    `Over 24 h the preset makes ${pct(preset.polls, base.polls)} of the default's polls (${thousands(preset.polls)} / ` +
    `${thousands(base.polls)}), ${pct(preset.actions, base.actions)} of its billable actions and ` +
    `${pct(preset.bytes, base.bytes)} of its history bytes (goal: at most 5 %, 1/20); ${first}.`
  );
}

function waitingCostTable(results: BenchResults, waiting: WaitingCostResult, cpuMsPerPoll: number | undefined): string {
  const header = [
    'journey in progress for',
    'policy',
    'ended',
    'polls',
    'billable actions',
    'history events (runs)',
    'history bytes',
    `CPU (${cpuMsPerPoll === undefined ? '–' : cpuMsPerPoll.toFixed(1)} ms a poll)`,
    '$ per 1,000 journeys',
  ];
  const table = markdownTable(
    header,
    waiting.rows.map((r) => waitingRow(r, cpuMsPerPoll)),
  );
  const w = results.webhook;
  const webhook =
    w &&
    `In the same run a webhook through the receiver ended a journey ${w.webhookToCompletionMs.median} ms (median; p99 ` +
      `${w.webhookToCompletionMs.p99} ms) after the provider completed it (goal: p99 under 100 ms).`;
  const lines = [presetAgainstDefault(waiting), webhook].filter(Boolean).join(' ');
  return `${dateLine(results, ' (time-skipping server)')}\n\n${table}${lines ? `\n\n${lines}` : ''}`;
}

/** The blocks a run can fill; scenarios that did not run leave their block as it was. */
export function performanceBlocks(
  results: BenchResults,
  doc = readFileSync(PERFORMANCE_DOC, 'utf8'),
): Record<string, string> {
  const waiting = results.waitingCost;
  const blocks: Record<string, string | undefined> = {
    history: historyTable(results),
    webhook: webhookLine(results),
    'cpu-per-unit': cpuTable(results),
    'webhook-soak': soakTable(results),
    'waiting-cost': waiting && waitingCostTable(results, waiting, journeyPollCpuMs(results, doc)),
  };
  return Object.fromEntries(Object.entries(blocks).filter((e): e is [string, string] => e[1] !== undefined));
}

export function writePerformanceDoc(blocks: Record<string, string>, file = PERFORMANCE_DOC): void {
  if (Object.keys(blocks).length === 0) return;
  writeFileSync(file, replaceBenchBlocks(readFileSync(file, 'utf8'), blocks));
}
