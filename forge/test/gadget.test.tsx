import React, { act } from 'react';

import { answer, requests, submitted } from './bridge';
import { findAll, render, settle, textOf, textsOf } from './forgeDoc';
import type { ForgeDoc } from './forgeDoc';
import mob from './fixtures/mob.team.json';
import shared from './fixtures/shared.team.json';

jest.mock('@forge/bridge', () => require('./bridge').bridgeMock);

import { GadgetConfigView } from '../src/views/GadgetConfig';
import { TeamGadget } from '../src/views/TeamGadget';

const PROPERTY = (project: string) => `/rest/api/3/project/${project}/properties/kpiokr.team`;
const PROJECTS = '/rest/api/3/project/search?maxResults=100&orderBy=name';

function property(document: unknown) {
  return { status: 200, body: { key: 'kpiokr.team', value: document } };
}

async function gadgetFor(project: string, team: string, document: unknown): Promise<ForgeDoc> {
  answer({ [PROPERTY(project)]: property(document) }, { gadgetConfiguration: { project, team } });
  return render(<TeamGadget />);
}

/** The two columns the gadget lays side by side: objectives, then KPIs. */
function columns(doc: ForgeDoc): [ForgeDoc, ForgeDoc] {
  const [row] = findAll(doc, 'Inline');
  const boxes = row.children.filter((child) => child.type === 'Box');
  expect(boxes).toHaveLength(2);
  return [boxes[0], boxes[1]];
}

describe('the team gadget', () => {
  test('objectives and KPIs side by side, those needing attention first, with the guardrail links', async () => {
    const doc = await gadgetFor('MOB', 'MOB', mob);
    expect(requests).toEqual([PROPERTY('MOB')]);
    const [objectives, kpis] = columns(doc);
    expect(textOf(objectives)).toMatch(/^Objectives \(4\)/);
    expect(textsOf(objectives, 'Lozenge')).toEqual(['Off track', 'Off track', 'On track', 'On track']);
    expect(findAll(objectives, 'Link').map((link) => link.props.href)).toEqual([
      '/browse/MOB-5',
      '/browse/MOB-4',
      '/browse/MOB-2',
      '/browse/MOB-1',
    ]);
    expect(textOf(objectives)).toContain('Score 0.18 against a pace of 0.38 (0.20 behind pace)');
    expect(textOf(objectives)).toContain('Guarded by Critical bug resolution time, Cycle time');
    expect(textOf(kpis)).toMatch(/^KPIs \(6\)/);
    expect(textsOf(kpis, 'Lozenge')).toEqual(['Breach', 'Breach', 'Warning', 'No data', 'Healthy', 'Healthy']);
    expect(textOf(kpis)).toContain('Guards MOB-5, MOB-4, MOB-2, MOB-1');
    expect(textOf(kpis)).toMatch(/Velocity 4\.33 points \(threshold 25 points, target 40 points\) Trend: worsening over 14 days/);
    const dashboard = findAll(doc, 'Link').filter((link) => link.props.href === mob.teams.MOB.dashboard_url);
    expect(dashboard.map(textOf)).toEqual(['Open MOB in the kpiokr dashboard']);
    expect(textOf(doc)).toContain('As of 2026-11-20 12:00 UTC, cycle 2026-Q4');
  });

  test('objectives at risk come first even when the document lists them otherwise', async () => {
    const team = shared.teams.WEB;
    const reversed = { ...shared, teams: { WEB: { ...team, objectives: [...team.objectives].reverse() } } };
    const doc = await gadgetFor('SHARED', 'WEB', reversed);
    const [objectives] = columns(doc);
    expect(textsOf(objectives, 'Lozenge')).toEqual(['Off track', 'At risk', 'At risk', 'At risk']);
  });

  test('a project shared by two teams shows the configured one', async () => {
    const doc = await gadgetFor('SHARED', 'WEB', shared);
    expect(textOf(doc)).toContain('Open WEB in the kpiokr dashboard');
    expect(textOf(doc)).not.toContain('MOB-5');
  });

  test('not configured yet: asks to pick a team', async () => {
    answer({}, {});
    const doc = await render(<TeamGadget />);
    expect(findAll(doc, 'SectionMessage').map((m) => m.props.title)).toEqual(['Pick a team']);
    expect(requests).toEqual([]);
  });

  test('a team the project does not hold: names the teams it does', async () => {
    const doc = await gadgetFor('SHARED', 'OPS', shared);
    expect(textOf(doc)).toContain('Project SHARED holds no kpiokr team named OPS (teams there: MOB, WEB)');
  });

  test('no property on the project yet: no data yet', async () => {
    answer({}, { gadgetConfiguration: { project: 'NEW', team: 'NEW' } });
    const doc = await render(<TeamGadget />);
    expect(findAll(doc, 'SectionMessage').map((m) => m.props.title)).toEqual(['No data yet']);
  });
});

describe("the gadget's configuration", () => {
  function select(doc: ForgeDoc, name: string): ForgeDoc {
    const [found] = findAll(doc, 'Select').filter((node) => node.props.name === name);
    return found;
  }

  test('picks a project, then one of its kpiokr teams, and saves both', async () => {
    submitted.length = 0;
    answer(
      {
        [PROJECTS]: { status: 200, body: { values: [{ key: 'MOB', name: 'Mobile' }, { key: 'SHARED', name: 'Shared' }] } },
        [PROPERTY('SHARED')]: property(shared),
      },
      {},
    );
    let doc = await render(<GadgetConfigView />);
    expect(select(doc, 'project').props.options).toEqual([
      { label: 'Mobile (MOB)', value: 'MOB' },
      { label: 'Shared (SHARED)', value: 'SHARED' },
    ]);
    const [save] = findAll(doc, 'Button');
    expect(textOf(save)).toBe('Save');
    expect(save.props.isDisabled).toBe(true);

    await act(async () => (select(doc, 'project').props.onChange as (o: unknown) => void)({ label: 'Shared (SHARED)', value: 'SHARED' }));
    doc = await settle();
    expect(select(doc, 'team').props.options).toEqual([
      { label: 'MOB', value: 'MOB' },
      { label: 'WEB', value: 'WEB' },
    ]);
    await act(async () => (select(doc, 'team').props.onChange as (o: unknown) => void)({ label: 'WEB', value: 'WEB' }));
    doc = await settle();
    const [enabled] = findAll(doc, 'Button');
    expect(enabled.props.isDisabled).toBe(false);
    await act(async () => (enabled.props.onClick as () => void)());
    expect(submitted).toEqual([{ project: 'SHARED', team: 'WEB' }]);
  });

  test('a project without kpiokr.team says which project to pick', async () => {
    answer({ [PROJECTS]: { status: 200, body: { values: [{ key: 'OPS', name: 'Operations' }] } } }, { gadgetConfiguration: { project: 'OPS', team: 'OPS' } });
    const doc = await render(<GadgetConfigView />);
    expect(textOf(doc)).toContain("kpiokr has written no kpiokr.team property on project OPS: pick the project a team's mapping file names");
    expect(findAll(doc, 'Button')[0].props.isDisabled).toBe(true);
  });
});

test('the configuration says why the projects could not be listed', async () => {
  answer({ '/rest/api/3/project/search?maxResults=100&orderBy=name': { status: 503, body: {} } }, {});
  const doc = await render(<GadgetConfigView />);
  expect(textOf(doc)).toBe('Jira answered 503 when listing projects. Reload to try again.');
});
