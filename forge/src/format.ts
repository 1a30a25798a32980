/** Words and numbers as the views show them: every status is spelled out, never a colour alone. */
import type { Kpi, KpiStatus, ObjectiveStatus, Point, Trend } from './documents';

export type LozengeAppearance = 'success' | 'moved' | 'removed' | 'default';

const APPEARANCE: Record<ObjectiveStatus | KpiStatus, LozengeAppearance> = {
  'on track': 'success',
  'at risk': 'moved',
  'off track': 'removed',
  healthy: 'success',
  warning: 'moved',
  breach: 'removed',
  'no data': 'default',
};

/** The lozenge colour of a status (the lozenge always carries the status in words too). */
export function appearanceOf(status: ObjectiveStatus | KpiStatus): LozengeAppearance {
  return APPEARANCE[status];
}

/** Off track first, then at risk, then on track: what needs attention comes first. */
export const OBJECTIVE_ORDER: Record<ObjectiveStatus, number> = { 'off track': 0, 'at risk': 1, 'on track': 2 };
/** Breached first, then warning, no data, healthy. */
export const KPI_ORDER: Record<KpiStatus, number> = { breach: 0, warning: 1, 'no data': 2, healthy: 3 };

export function score(value: number | null): string {
  return value === null ? 'no score' : value.toFixed(2);
}

/** "0.42 against a pace of 0.55 (0.13 behind)". */
export function scoreAgainstPace(value: number | null, expected: number | null): string {
  if (value === null) {
    return 'No score yet';
  }
  if (expected === null) {
    return `Score ${score(value)}`;
  }
  const gap = Math.round((value - expected) * 100) / 100;
  const where = gap < 0 ? `${Math.abs(gap).toFixed(2)} behind pace` : gap > 0 ? `${gap.toFixed(2)} ahead of pace` : 'on pace';
  return `Score ${score(value)} against a pace of ${score(expected)} (${where})`;
}

/** A ProgressBar value: the score clamped into 0..1 (a score may pass 1.0 when a target is beaten). */
export function barValue(value: number | null): number {
  return value === null ? 0 : Math.min(1, Math.max(0, value));
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
}

function withUnit(value: number, unit: string | null): string {
  return unit ? `${number(value)} ${unit}` : number(value);
}

/** "4.2 days (threshold 5 days, target 3 days)". */
export function kpiValue(kpi: Kpi): string {
  const value = kpi.value === null ? 'no value yet' : withUnit(kpi.value, kpi.unit);
  const bounds = [
    kpi.threshold === null ? null : `threshold ${withUnit(kpi.threshold, kpi.unit)}`,
    kpi.target === null ? null : `target ${withUnit(kpi.target, kpi.unit)}`,
  ].filter((part): part is string => part !== null);
  return bounds.length ? `${value} (${bounds.join(', ')})` : value;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline of a series, oldest first; days without a value are a space. */
export function sparkline(series: Point[]): string {
  const values = series.map(([, value]) => value).filter((value): value is number => value !== null);
  if (values.length < 2) {
    return '';
  }
  const low = Math.min(...values);
  const span = Math.max(...values) - low;
  return series
    .map(([, value]) => {
      if (value === null) {
        return ' ';
      }
      const step = span === 0 ? 3 : Math.round(((value - low) / span) * (BARS.length - 1));
      return BARS[step];
    })
    .join('');
}

const TREND_WORDS: Record<Trend, string> = {
  improving: 'improving',
  stable: 'stable',
  worsening: 'worsening',
  unknown: 'unknown',
};

/** "worsening over 14 days ▁▃▅▇…" or the trend word alone when there is no series to draw. */
export function trendText(kpi: Kpi): string {
  const line = sparkline(kpi.series);
  if (!line) {
    return TREND_WORDS[kpi.trend];
  }
  const span = kpi.series_kind === 'daily' ? `over ${kpi.series.length} days` : `over ${kpi.series.length} points`;
  return `${TREND_WORDS[kpi.trend]} ${span} ${line}`;
}

/** "2026-11-30 14:05 UTC" from an ISO 8601 instant (shown as written when it is not one). */
export function asOf(instant: string): string {
  const parsed = new Date(instant);
  if (Number.isNaN(parsed.getTime())) {
    return instant;
  }
  return `${parsed.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function statusWords(status: ObjectiveStatus | KpiStatus): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}

/** The message of something thrown, without the "Error:" JavaScript puts before it. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
