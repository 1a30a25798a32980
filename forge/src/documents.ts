/**
 * The documents the kpiokr daemon writes into Jira, as typed here for the views. Their JSON Schemas
 * live in the repository's schemas/ folder (kpiokr.objective.schema.json, kpiokr.team.schema.json).
 */

export const OBJECTIVE_PROPERTY = 'kpiokr.objective';
export const TEAM_PROPERTY = 'kpiokr.team';
/** The schema_version these views read; a document with another version is said to need an update. */
export const SCHEMA_VERSION = 1;

export type ObjectiveStatus = 'on track' | 'at risk' | 'off track';
export type KpiStatus = 'healthy' | 'warning' | 'breach' | 'no data';
export type Trend = 'improving' | 'stable' | 'worsening' | 'unknown';
/** A day or an instant, and the value then (null when there was none). */
export type Point = [string, number | null];

export interface KeyResult {
  key: string;
  title: string;
  owner: string | null;
  score: number | null;
  progress: string;
}

export interface Kpi {
  key: string;
  name: string;
  value: number | null;
  unit: string | null;
  direction: 'higher' | 'lower';
  target: number | null;
  threshold: number | null;
  status: KpiStatus;
  trend: Trend;
  series: Point[];
  series_kind: 'daily' | 'trend';
  sample_size?: number;
  without_history?: number;
}

export interface Forecast {
  projected: number;
  low: number;
  high: number;
  p_success: number;
  method: string;
}

export interface ObjectiveDocument {
  schema_version: number;
  key: string;
  title: string;
  team: string;
  cycle: string;
  as_of: string;
  owner: string | null;
  ambition: 'committed' | 'stretch';
  score: number | null;
  expected: number | null;
  status: ObjectiveStatus;
  reasons: string[];
  key_results: KeyResult[];
  guardrails: Kpi[];
  forecast?: Forecast;
  data_quality: { complete: boolean; notes: string[] };
  dashboard_url?: string;
  shortened?: string[];
}

export interface ObjectiveBrief {
  key: string;
  title: string;
  score: number | null;
  expected: number | null;
  status: ObjectiveStatus;
  reasons: string[];
  /** Keys of the team's KPIs guarding the objective. */
  guardrails: string[];
}

export interface TeamBrief {
  team: string;
  cycle: string;
  as_of: string;
  objectives: ObjectiveBrief[];
  kpis: Kpi[];
  dashboard_url?: string;
}

export interface TeamDocument {
  schema_version: number;
  project: string;
  teams: Record<string, TeamBrief>;
  shortened?: string[];
}
