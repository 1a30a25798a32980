/**
 * The dashboard gadget: one team's objectives and KPIs side by side, from the kpiokr.team property of
 * the project the gadget is configured with. Objectives needing attention come first; each names the
 * KPIs guarding it, and each KPI the objectives it guards.
 */
import React from 'react';
import { view } from '@forge/bridge';
import { Box, Heading, Inline, Link, SectionMessage, Spinner, Stack, Text } from '@forge/react';

import type { ObjectiveBrief, TeamBrief } from '../documents';
import { TEAM_PROPERTY } from '../documents';
import { KPI_ORDER, OBJECTIVE_ORDER, errorText, scoreAgainstPace } from '../format';
import { readTeams } from '../jira';
import { AsOf, KpiLine, StatusLozenge } from './parts';
import { useRead } from './useRead';

/** What the gadget's configuration view submits. */
export interface GadgetConfig {
  project: string;
  team: string;
}

type Shown = { kind: 'team'; team: TeamBrief } | { kind: 'message'; title: string; text: string; appearance: 'information' | 'warning' | 'error' };

async function readConfiguredTeam(): Promise<Shown> {
  try {
    const context = await view.getContext();
    const config = context.extension.gadgetConfiguration as Partial<GadgetConfig> | undefined;
    if (!config?.project || !config.team) {
      return { kind: 'message', appearance: 'information', title: 'Pick a team', text: "Edit this gadget and pick the project and team whose OKRs and KPIs it shows." };
    }
    const read = await readTeams(config.project);
    if (read.kind === 'problem') {
      return { kind: 'message', appearance: 'error', title: 'kpiokr could not show this team', text: read.message };
    }
    if (read.kind === 'missing') {
      return { kind: 'message', appearance: 'information', title: 'No data yet', text: `kpiokr has not written the ${TEAM_PROPERTY} property of project ${config.project} yet: it appears after the daemon's next sync.` };
    }
    const team = read.document.teams[config.team];
    if (!team) {
      const known = Object.keys(read.document.teams).sort().join(', ') || 'none';
      return { kind: 'message', appearance: 'warning', title: 'Team not found', text: `Project ${config.project} holds no kpiokr team named ${config.team} (teams there: ${known}). Edit this gadget to pick one.` };
    }
    return { kind: 'team', team };
  } catch (error) {
    return { kind: 'message', appearance: 'error', title: 'kpiokr could not show this team', text: `${errorText(error)}. Reload the dashboard to try again.` };
  }
}

export function TeamGadget() {
  const shown = useRead(readConfiguredTeam, []);
  if (shown === undefined) {
    return <Spinner label="Reading the team's scores" />;
  }
  if (shown.kind === 'message') {
    return (
      <SectionMessage appearance={shown.appearance} title={shown.title}>
        <Text>{shown.text}</Text>
      </SectionMessage>
    );
  }
  return <Team team={shown.team} />;
}

export function Team({ team }: { team: TeamBrief }) {
  const objectives = [...team.objectives].sort((a, b) => OBJECTIVE_ORDER[a.status] - OBJECTIVE_ORDER[b.status]);
  const kpis = [...team.kpis].sort((a, b) => KPI_ORDER[a.status] - KPI_ORDER[b.status]);
  const names = new Map(team.kpis.map((kpi) => [kpi.key, kpi.name]));
  const guarded = new Map<string, string[]>();
  for (const objective of objectives) {
    for (const key of objective.guardrails) {
      guarded.set(key, [...(guarded.get(key) ?? []), objective.key]);
    }
  }
  return (
    <Stack space="space.200">
      <Inline space="space.300" shouldWrap alignBlock="start">
        <Box>
          <Stack space="space.150">
            <Heading size="small">{`Objectives (${objectives.length})`}</Heading>
            {objectives.length === 0 ? <Text>No objectives yet.</Text> : null}
            {objectives.map((objective) => (
              <ObjectiveLine key={objective.key} objective={objective} kpiNames={names} />
            ))}
          </Stack>
        </Box>
        <Box>
          <Stack space="space.150">
            <Heading size="small">{`KPIs (${kpis.length})`}</Heading>
            {kpis.length === 0 ? <Text>No KPIs yet.</Text> : null}
            {kpis.map((kpi) => (
              <KpiLine key={kpi.key} kpi={kpi} guards={guarded.get(kpi.key)} />
            ))}
          </Stack>
        </Box>
      </Inline>
      <Stack space="space.050">
        <AsOf instant={team.as_of} cycle={team.cycle} />
        {team.dashboard_url ? (
          <Link href={team.dashboard_url} openNewTab>
            {`Open ${team.team} in the kpiokr dashboard`}
          </Link>
        ) : null}
      </Stack>
    </Stack>
  );
}

function ObjectiveLine({ objective, kpiNames }: { objective: ObjectiveBrief; kpiNames: Map<string, string> }) {
  const guardedBy = objective.guardrails.map((key) => kpiNames.get(key) ?? key);
  return (
    <Stack space="space.025">
      <Inline space="space.100" alignBlock="center">
        <StatusLozenge status={objective.status} />
        <Link href={`/browse/${objective.key}`}>{`${objective.key} ${objective.title}`}</Link>
      </Inline>
      <Text>{scoreAgainstPace(objective.score, objective.expected)}</Text>
      {objective.reasons.length > 0 ? <Text size="small">{objective.reasons.join('; ')}</Text> : null}
      {guardedBy.length > 0 ? <Text size="small">{`Guarded by ${guardedBy.join(', ')}`}</Text> : null}
    </Stack>
  );
}
