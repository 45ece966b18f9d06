/** The bench chart: hand-written SVG, four panels (history economy, webhook, scale, fetch cost). No deps. */
import type { BenchResults } from './main';

const W = 1100;
const H = 760;
const PANEL_W = 520;
const PANEL_H = 330;
const COLORS = { product: '#2563eb', naive: '#dc2626', sleep: '#6b7280', bare: '#9ca3af', p99: '#93c5fd' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) =>
  !Number.isFinite(v)
    ? 'n/a'
    : v >= 10_000
      ? `${(v / 1000).toFixed(0)}k`
      : v >= 100
        ? v.toFixed(0)
        : v >= 10
          ? v.toFixed(1)
          : v.toFixed(2);

interface Bar {
  name: string;
  value: number;
  color: string;
  label?: string;
}
interface Group {
  label: string;
  bars: Bar[];
}

function frame(x: number, y: number, title: string, subtitle: string): string {
  return (
    `<g transform="translate(${x},${y})"><rect width="${PANEL_W}" height="${PANEL_H}" fill="#fff" stroke="#e5e7eb"/>` +
    `<text x="14" y="24" font-size="15" font-weight="600">${esc(title)}</text>` +
    `<text x="14" y="42" font-size="11" fill="#6b7280">${esc(subtitle)}</text>`
  );
}

function barPanel(x: number, y: number, title: string, subtitle: string, groups: Group[], unit: string): string {
  const left = 60;
  const top = 60;
  const plotW = PANEL_W - left - 20;
  const plotH = PANEL_H - top - 50;
  const max =
    Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)))) * 1.15;
  let out = frame(x, y, title, subtitle);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const ty = top + plotH - (plotH * t) / 4;
    out += `<line x1="${left}" x2="${left + plotW}" y1="${ty}" y2="${ty}" stroke="#f3f4f6"/><text x="${left - 6}" y="${ty + 4}" font-size="10" text-anchor="end" fill="#6b7280">${fmt(v)}</text>`;
  }
  out += `<text x="12" y="${top + plotH / 2}" font-size="10" fill="#6b7280" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">${esc(unit)}</text>`;
  const groupW = plotW / Math.max(1, groups.length);
  groups.forEach((g, gi) => {
    const barW = Math.min(60, (groupW - 30) / Math.max(1, g.bars.length));
    const gx = left + gi * groupW + (groupW - barW * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      const v = Number.isFinite(b.value) ? b.value : 0;
      const bh = (plotH * v) / max;
      const bx = gx + bi * barW;
      out += `<rect x="${bx + 2}" y="${top + plotH - bh}" width="${barW - 4}" height="${bh}" fill="${b.color}"><title>${esc(`${b.name}: ${b.value} ${unit}`)}</title></rect>`;
      out += `<text x="${bx + barW / 2}" y="${top + plotH - bh - 4}" font-size="10" text-anchor="middle">${esc(b.label ?? fmt(b.value))}</text>`;
      out += `<text x="${bx + barW / 2}" y="${top + plotH + 13}" font-size="9" text-anchor="middle" fill="#374151">${esc(b.name)}</text>`;
    });
    out += `<text x="${left + gi * groupW + groupW / 2}" y="${top + plotH + 30}" font-size="11" font-weight="600" text-anchor="middle">${esc(g.label)}</text>`;
  });
  return out + '</g>';
}

interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

function linePanel(
  x: number,
  y: number,
  title: string,
  subtitle: string,
  series: Series[],
  threshold: number,
  yUnit: string,
): string {
  const left = 60;
  const top = 60;
  const plotW = PANEL_W - left - 130;
  const plotH = PANEL_H - top - 50;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const maxX = Math.max(1, ...xs) * 1.05;
  const maxY = Math.max(threshold * 1.5, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const sx = (v: number) => left + (plotW * v) / maxX;
  const sy = (v: number) => top + plotH - (plotH * Math.min(v, maxY)) / maxY;
  let out = frame(x, y, title, subtitle);
  for (let t = 0; t <= 4; t++) {
    const v = (maxY * t) / 4;
    out += `<line x1="${left}" x2="${left + plotW}" y1="${sy(v)}" y2="${sy(v)}" stroke="#f3f4f6"/><text x="${left - 6}" y="${sy(v) + 4}" font-size="10" text-anchor="end" fill="#6b7280">${fmt(v)}</text>`;
  }
  for (const v of [...new Set(xs)]) {
    out += `<text x="${sx(v)}" y="${top + plotH + 14}" font-size="9" text-anchor="middle" fill="#6b7280">${v}</text>`;
  }
  out += `<text x="${left + plotW / 2}" y="${top + plotH + 32}" font-size="11" text-anchor="middle">N concurrent workflows</text>`;
  out += `<text x="12" y="${top + plotH / 2}" font-size="10" fill="#6b7280" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">${esc(yUnit)}</text>`;
  out += `<line x1="${left}" x2="${left + plotW}" y1="${sy(threshold)}" y2="${sy(threshold)}" stroke="#f59e0b" stroke-dasharray="4 3"/><text x="${left + plotW - 4}" y="${sy(threshold) - 4}" font-size="10" text-anchor="end" fill="#b45309">${fmt(threshold)} ${esc(yUnit)} limit</text>`;
  series.forEach((s, i) => {
    if (s.points.length) {
      out += `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([px, py]) => `${sx(px)},${sy(py)}`).join(' ')}"/>`;
      for (const [px, py] of s.points)
        out += `<circle cx="${sx(px)}" cy="${sy(py)}" r="3" fill="${s.color}"><title>${esc(`${s.name} N=${px}: ${py}`)}</title></circle>`;
    }
    out += `<rect x="${left + plotW + 14}" y="${top + i * 18}" width="10" height="10" fill="${s.color}"/><text x="${left + plotW + 28}" y="${top + i * 18 + 9}" font-size="10">${esc(s.name)}</text>`;
  });
  return out + '</g>';
}

export function renderChart(r: BenchResults): string {
  const panels: string[] = [];
  const he = r.historyEconomy ?? [];
  panels.push(
    barPanel(
      20,
      60,
      '1. History bytes per in-progress poll cycle',
      'median; label: bytes per completed journey',
      he.map((p) => ({
        label: p.provider,
        bars: [
          {
            name: 'product',
            value: p.product.cycleBytes.median,
            color: COLORS.product,
            label: `${fmt(p.product.cycleBytes.median)} (${fmt(p.product.journeyBytes.median)})`,
          },
          ...(p.naive
            ? [
                {
                  name: 'naive raw',
                  value: p.naive.cycleBytes.median,
                  color: COLORS.naive,
                  label: `${fmt(p.naive.cycleBytes.median)} (${fmt(p.naive.journeyBytes.median)})`,
                },
              ]
            : []),
        ],
      })),
      'bytes',
    ),
  );
  const wh = r.webhook;
  panels.push(
    barPanel(
      560,
      60,
      '2. Completion at the provider → workflow done',
      wh
        ? `${wh.options.pairs} pairs, ${wh.options.intervalMs / 1000} s poll interval, webhook via the receiver`
        : 'not run',
      wh
        ? [
            {
              label: 'median',
              bars: [
                { name: 'webhook', value: wh.webhookToCompletionMs.median / 1000, color: COLORS.product },
                { name: 'poll only', value: wh.pollOnlyToCompletionMs.median / 1000, color: COLORS.naive },
              ],
            },
            {
              label: 'p99',
              bars: [
                { name: 'webhook', value: wh.webhookToCompletionMs.p99 / 1000, color: COLORS.product },
                { name: 'poll only', value: wh.pollOnlyToCompletionMs.p99 / 1000, color: COLORS.naive },
              ],
            },
          ]
        : [],
      'seconds',
    ),
  );
  const sc = r.scale ?? [];
  const series = (kind: 'journey' | 'sleep', color: string, name: string): Series => ({
    name,
    color,
    points: (sc.find((s) => s.kind === kind)?.steps ?? []).map((s) => [s.n, s.lagMs.p99]),
  });
  const held = sc.map((s) => `${s.kind} max N ${s.maxHeldN}`).join(' · ');
  panels.push(
    linePanel(
      20,
      410,
      '3. Scale: p99 lag vs concurrent workflows (10 s interval)',
      held || 'not run',
      [
        series('journey', COLORS.product, 'journeys (poll lag)'),
        series('sleep', COLORS.sleep, 'sleep-only (server ceiling)'),
      ],
      1000,
      'ms',
    ),
  );
  const fc = r.fetchCost;
  panels.push(
    barPanel(
      560,
      410,
      '4. fetchState vs bare undici, same endpoint',
      fc ? `throughput at concurrency ${fc.options.concurrency}; label: p50 latency sequential` : 'not run',
      fc
        ? [
            {
              label: 'fetches per second',
              bars: [
                {
                  name: 'fetchState',
                  value: fc.fetchState.perSec,
                  color: COLORS.product,
                  label: `${fc.fetchState.perSec}/s · ${fc.fetchState.latencyMs.median} ms`,
                },
                {
                  name: 'bare undici',
                  value: fc.bareUndici.perSec,
                  color: COLORS.bare,
                  label: `${fc.bareUndici.perSec}/s · ${fc.bareUndici.latencyMs.median} ms`,
                },
              ],
            },
          ]
        : [],
      'fetches/s',
    ),
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">` +
    `<rect width="${W}" height="${H}" fill="#f9fafb"/>` +
    `<text x="20" y="32" font-size="18" font-weight="700">journey-await bench${r.quick ? ' (quick)' : ''}</text>` +
    `<text x="20" y="50" font-size="11" fill="#6b7280">${esc(`${r.startedAt} · ${r.machine.cpus} CPUs · ${r.machine.memGiB} GiB · Node ${r.machine.node} · dev server on loopback, simulator and worker in child processes`)}</text>` +
    panels.join('') +
    '</svg>\n'
  );
}
