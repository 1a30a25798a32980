import React from 'react';

import { answer, requests } from './bridge';
import { findAll, render, textOf, textsOf } from './forgeDoc';
import type { ForgeDoc } from './forgeDoc';
import onTrack from './fixtures/on_track.objective.json';
import breach from './fixtures/guardrail_breach.objective.json';
import noData from './fixtures/no_data_yet.objective.json';
import shortened from './fixtures/shortened_series.objective.json';

jest.mock('@forge/bridge', () => require('./bridge').bridgeMock);

import { ObjectivePanel } from '../src/views/ObjectivePanel';

const PROPERTY = (key: string) => `/rest/api/3/issue/${key}/properties/kpiokr.objective`;

async function panelFor(key: string, document: unknown): Promise<ForgeDoc> {
  answer({ [PROPERTY(key)]: { status: 200, body: { key: 'kpiokr.objective', value: document } } }, { issue: { key } });
  return render(<ObjectivePanel />);
}

describe('the objective panel', () => {
  test('on track: status in words, score against pace, one bar per key result, link to the dashboard', async () => {
    const doc = await panelFor('MOB-1', onTrack);
    const text = textOf(doc);
    expect(requests).toEqual([PROPERTY('MOB-1')]);
    expect(textsOf(doc, 'Lozenge')[0]).toBe('On track');
    expect(text).toContain('Score 0.79 against a pace of 0.38 (0.41 ahead of pace)');
    // The objective's own bar and one per key result.
    const bars = findAll(doc, 'ProgressBar');
    expect(bars).toHaveLength(1 + onTrack.key_results.length);
    expect(bars.map((bar) => bar.props.value)).toEqual([0.79, 0.67, 0.9]);
    expect(text).toContain('MOB-19 KR: raise app rating (Delight our users)');
    expect(textsOf(doc, 'Text')).toContain('0.67: App rating 4.83 (from 4.48 to 5), owner pm@example.com');
    expect(text).toContain('Guardrail KPIs (2)');
    expect(textsOf(doc, 'Lozenge')).toEqual(['On track', 'No data', 'Healthy']);
    expect(text).toContain('2.88 days (threshold 14 days, target 8 days)');
    expect(text).toMatch(/Trend: improving over 30 days [▁▂▃▄▅▆▇█]+/);
    expect(findAll(doc, 'SectionMessage').map((m) => m.props.title)).toEqual(['Data quality: incomplete']);
    expect(text).toContain('Critical bug resolution time has no data in its window');
    expect(text).toContain('As of 2026-11-20 12:00 UTC, cycle 2026-Q4');
    const links = findAll(doc, 'Link');
    expect(links.map((link) => link.props.href)).toEqual([onTrack.dashboard_url]);
    expect(textOf(links[0])).toBe('Open in the kpiokr dashboard');
  });

  test('guardrail breach: at risk, the reason names the KPI, the KPI says breach', async () => {
    const doc = await panelFor('WEB-6', breach);
    const text = textOf(doc);
    expect(textsOf(doc, 'Lozenge')).toEqual(['At risk', 'No data', 'Breach']);
    expect(textsOf(doc, 'ListItem')).toContain('guardrail Cycle time breached: 35.5 days against threshold 14');
    expect(text).toContain('Score 0.35 against a pace of 0.38 (0.03 behind pace)');
    expect(text).toContain('35.5 days (threshold 14 days, target 8 days)');
    expect(findAll(doc, 'ProgressBar')).toHaveLength(1 + breach.key_results.length);
  });

  test('no data yet: says so, draws no bar, and links nowhere when no dashboard is configured', async () => {
    const doc = await panelFor('MOB-4', noData);
    const text = textOf(doc);
    expect(findAll(doc, 'SectionMessage').map((m) => m.props.title)).toContain('No data yet');
    expect(text).toContain('the objective has no key results: its score is 0 until one is mapped');
    expect(findAll(doc, 'ProgressBar')).toHaveLength(0);
    expect(findAll(doc, 'Link')).toHaveLength(0);
    expect(textsOf(doc, 'Lozenge')).toEqual(['Off track', 'No data', 'Healthy']);
  });

  test('shortened series: the cut is said, the first key results drawn and the rest counted', async () => {
    const doc = await panelFor('MOB-2', shortened);
    const text = textOf(doc);
    expect(text).toContain("Shortened to fit Jira's property size: series cut to their newest 16 points");
    expect(text).toMatch(/Trend: improving over 16 days/);
    expect(findAll(doc, 'ProgressBar')).toHaveLength(1 + 20);
    expect(text).toContain(`Key results (${shortened.key_results.length})`);
    expect(text).toContain(`${shortened.key_results.length - 20} more key results in the kpiokr dashboard`);
  });

  test('no property: the no-data state, not an error', async () => {
    answer({}, { issue: { key: 'MOB-9' } });
    const doc = await render(<ObjectivePanel />);
    expect(findAll(doc, 'SectionMessage').map((m) => m.props.title)).toEqual(['No data yet']);
    expect(textOf(doc)).toContain("kpiokr has not written this epic's kpiokr.objective property yet.");
  });

  test('a document of another schema version asks for the matching app', async () => {
    const doc = await panelFor('MOB-1', { ...onTrack, schema_version: 2 });
    expect(textOf(doc)).toContain('this app reads version 1: deploy the kpiokr Forge app');
    expect(findAll(doc, 'ProgressBar')).toHaveLength(0);
  });

  test('Jira refusing the read is said with what to check', async () => {
    answer({ [PROPERTY('MOB-1')]: { status: 403, body: {} } }, { issue: { key: 'MOB-1' } });
    const doc = await render(<ObjectivePanel />);
    expect(textOf(doc)).toContain('Jira answered 403 when reading the kpiokr.objective property of MOB-1');
  });
});
