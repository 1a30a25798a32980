/** The issue panel on an objective epic: the kpiokr.objective property the daemon wrote, in full. */
import React from 'react';
import { view } from '@forge/bridge';
import {
  Heading,
  Inline,
  Link,
  List,
  ListItem,
  ProgressBar,
  SectionMessage,
  Spinner,
  Stack,
  Text,
} from '@forge/react';

import type { ObjectiveDocument } from '../documents';
import { OBJECTIVE_PROPERTY } from '../documents';
import { barValue, errorText, score, scoreAgainstPace } from '../format';
import { readObjective } from '../jira';
import type { Read } from '../jira';
import { AsOf, KpiLine, StatusLozenge } from './parts';
import { useRead } from './useRead';

async function readThisIssue(): Promise<Read<ObjectiveDocument>> {
  try {
    const context = await view.getContext();
    const issueKey: unknown = context.extension.issue?.key;
    if (typeof issueKey !== 'string') {
      return { kind: 'problem', message: 'Jira gave this panel no issue: open it from an epic.' };
    }
    return await readObjective(issueKey);
  } catch (error) {
    return { kind: 'problem', message: `The issue could not be read: ${errorText(error)}. Reload the page to try again.` };
  }
}

export function ObjectivePanel() {
  const read = useRead(readThisIssue, []);
  if (read === undefined) {
    return <Spinner label="Reading the objective's scores" />;
  }
  if (read.kind === 'problem') {
    return <SectionMessage appearance="error" title="kpiokr could not show this objective"><Text>{read.message}</Text></SectionMessage>;
  }
  if (read.kind === 'missing') {
    return <NoDataYet reason={`kpiokr has not written this epic's ${OBJECTIVE_PROPERTY} property yet.`} />;
  }
  return <Objective objective={read.document} />;
}

function NoDataYet({ reason }: { reason: string }) {
  return (
    <SectionMessage appearance="information" title="No data yet">
      <Text>{`${reason} Scores appear after the kpiokr daemon's next sync that finds data for it.`}</Text>
    </SectionMessage>
  );
}

export function Objective({ objective }: { objective: ObjectiveDocument }) {
  return (
    <Stack space="space.200">
      <Stack space="space.050">
        <Inline space="space.100" alignBlock="center">
          <StatusLozenge status={objective.status} />
          <Text size="small">{`${objective.ambition} objective, owner ${objective.owner ?? 'not named'}`}</Text>
        </Inline>
        <Text weight="bold">{scoreAgainstPace(objective.score, objective.expected)}</Text>
        {objective.score === null || objective.key_results.length === 0 ? (
          <NoDataYet reason="kpiokr has found no key result to score this objective on yet." />
        ) : (
          <ProgressBar value={barValue(objective.score)} ariaLabel={`Objective score ${score(objective.score)}`} />
        )}
        {objective.reasons.length > 0 ? (
          <List type="unordered">
            {objective.reasons.map((reason) => (
              <ListItem key={reason}>{reason}</ListItem>
            ))}
          </List>
        ) : null}
        {objective.forecast ? (
          <Text size="small">
            {`Forecast at the cycle's end: ${score(objective.forecast.projected)} (${score(objective.forecast.low)} to ${score(objective.forecast.high)}), ${Math.round(objective.forecast.p_success * 100)}% chance of success`}
          </Text>
        ) : null}
      </Stack>
      <KeyResults objective={objective} />
      <Guardrails objective={objective} />
      <DataQuality objective={objective} />
      <Stack space="space.050">
        <AsOf instant={objective.as_of} cycle={objective.cycle} />
        {objective.dashboard_url ? (
          <Link href={objective.dashboard_url} openNewTab>
            Open in the kpiokr dashboard
          </Link>
        ) : null}
      </Stack>
    </Stack>
  );
}

/** Key results drawn as bars in the panel; the rest are counted and left to the dashboard. */
const KEY_RESULTS_SHOWN = 20;

function KeyResults({ objective }: { objective: ObjectiveDocument }) {
  const { key_results: keyResults } = objective;
  if (keyResults.length === 0) {
    return null;
  }
  const hidden = keyResults.length - KEY_RESULTS_SHOWN;
  return (
    <Stack space="space.100">
      <Heading size="xsmall">{`Key results (${keyResults.length})`}</Heading>
      {keyResults.slice(0, KEY_RESULTS_SHOWN).map((kr) => (
        <Stack key={kr.key} space="space.025">
          <Text weight="medium">{`${kr.key} ${kr.title}`}</Text>
          <ProgressBar value={barValue(kr.score)} ariaLabel={`${kr.key} score ${score(kr.score)}`} />
          <Text size="small">{`${score(kr.score)}: ${kr.progress}${kr.owner ? `, owner ${kr.owner}` : ''}`}</Text>
        </Stack>
      ))}
      {hidden > 0 ? <Text>{`${hidden} more key results in the kpiokr dashboard`}</Text> : null}
    </Stack>
  );
}

function Guardrails({ objective }: { objective: ObjectiveDocument }) {
  if (objective.guardrails.length === 0) {
    return <Text>No guardrail KPIs.</Text>;
  }
  return (
    <Stack space="space.100">
      <Heading size="xsmall">{`Guardrail KPIs (${objective.guardrails.length})`}</Heading>
      {objective.guardrails.map((kpi) => (
        <KpiLine key={kpi.key} kpi={kpi} />
      ))}
    </Stack>
  );
}

function DataQuality({ objective }: { objective: ObjectiveDocument }) {
  const { complete, notes } = objective.data_quality;
  const shortened = objective.shortened ?? [];
  if (complete && notes.length === 0 && shortened.length === 0) {
    return <Text size="small">Data quality: complete</Text>;
  }
  return (
    <SectionMessage appearance="warning" title={complete ? 'Data quality: complete, with notes' : 'Data quality: incomplete'}>
      <List type="unordered">
        {notes.map((note) => (
          <ListItem key={note}>{note}</ListItem>
        ))}
        {shortened.map((cut) => (
          <ListItem key={`shortened ${cut}`}>{`Shortened to fit Jira's property size: ${cut}`}</ListItem>
        ))}
      </List>
    </SectionMessage>
  );
}
