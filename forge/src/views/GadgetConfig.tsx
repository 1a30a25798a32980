/**
 * The gadget's edit view: pick a project, then one of the kpiokr teams its kpiokr.team property
 * holds, and save. The gadget stores the choice with the dashboard (view.submit).
 */
import React, { useState } from 'react';
import { view } from '@forge/bridge';
import { Button, Label, SectionMessage, Select, Spinner, Stack, Text } from '@forge/react';

import { TEAM_PROPERTY } from '../documents';
import { errorText } from '../format';
import { listProjects, readTeams } from '../jira';
import type { ProjectChoice } from '../jira';
import type { GadgetConfig } from './TeamGadget';
import { useRead } from './useRead';

interface Option {
  label: string;
  value: string;
}

type Projects = { projects: ProjectChoice[]; saved: Partial<GadgetConfig> } | { problem: string };
type Teams = { teams: string[] } | { problem: string };

async function readProjects(): Promise<Projects> {
  try {
    const [context, projects] = await Promise.all([view.getContext(), listProjects()]);
    const saved = (context.extension.gadgetConfiguration ?? {}) as Partial<GadgetConfig>;
    return { projects, saved };
  } catch (error) {
    return { problem: errorText(error) };
  }
}

async function readTeamNames(project: string | undefined): Promise<Teams> {
  if (!project) {
    return { teams: [] };
  }
  const read = await readTeams(project);
  if (read.kind === 'problem') {
    return { problem: read.message };
  }
  if (read.kind === 'missing') {
    return { problem: `kpiokr has written no ${TEAM_PROPERTY} property on project ${project}: pick the project a team's mapping file names, or wait for the daemon's next sync.` };
  }
  return { teams: Object.keys(read.document.teams).sort() };
}

export function GadgetConfigView() {
  const loaded = useRead(readProjects, []);
  const [project, setProject] = useState<string | undefined>(undefined);
  const [team, setTeam] = useState<string | undefined>(undefined);
  const saved = loaded && 'saved' in loaded ? loaded.saved : {};
  const chosenProject = project ?? saved.project;
  const teams = useRead(() => readTeamNames(chosenProject), [chosenProject]);
  if (loaded === undefined) {
    return <Spinner label="Reading the projects" />;
  }
  if ('problem' in loaded) {
    return <Problem text={loaded.problem} />;
  }
  const teamNames = teams && 'teams' in teams ? teams.teams : [];
  const chosenTeam = team ?? (saved.project === chosenProject ? saved.team : undefined);
  const projectOptions: Option[] = loaded.projects.map((p) => ({ label: `${p.name} (${p.key})`, value: p.key }));
  const teamOptions: Option[] = teamNames.map((name) => ({ label: name, value: name }));
  const canSave = chosenProject !== undefined && chosenTeam !== undefined && teamNames.includes(chosenTeam);
  return (
    <Stack space="space.150">
      <Label labelFor="kpiokr-project">Project</Label>
      <Select
        inputId="kpiokr-project"
        name="project"
        options={projectOptions}
        value={projectOptions.find((option) => option.value === chosenProject)}
        onChange={(option: Option) => {
          setProject(option.value);
          setTeam(undefined);
        }}
      />
      <Label labelFor="kpiokr-team">Team</Label>
      {teams === undefined ? <Spinner label="Reading the project's teams" /> : null}
      {teams && 'problem' in teams ? <Problem text={teams.problem} /> : null}
      <Select
        inputId="kpiokr-team"
        name="team"
        isDisabled={teamOptions.length === 0}
        options={teamOptions}
        value={teamOptions.find((option) => option.value === chosenTeam) ?? null}
        onChange={(option: Option) => setTeam(option.value)}
      />
      <Button
        appearance="primary"
        isDisabled={!canSave}
        onClick={() => {
          if (canSave) {
            const config: GadgetConfig = { project: chosenProject, team: chosenTeam };
            void view.submit(config);
          }
        }}
      >
        Save
      </Button>
    </Stack>
  );
}

function Problem({ text }: { text: string }) {
  return (
    <SectionMessage appearance="warning" title="kpiokr">
      <Text>{text}</Text>
    </SectionMessage>
  );
}
