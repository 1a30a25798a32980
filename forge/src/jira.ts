/**
 * Reading the kpiokr properties from Jira with the viewing user's own permissions (`requestJira`
 * from a UI Kit view runs as the user). Nothing here writes: the daemon is the only writer.
 */
import { requestJira } from '@forge/bridge';

import { OBJECTIVE_PROPERTY, SCHEMA_VERSION, TEAM_PROPERTY } from './documents';
import type { ObjectiveDocument, TeamDocument } from './documents';
import { errorText } from './format';

/** What reading a property gave: the document, none written yet, or a problem to show as text. */
export type Read<T> =
  | { kind: 'found'; document: T }
  | { kind: 'missing' }
  | { kind: 'problem'; message: string };

interface Versioned {
  schema_version?: unknown;
}

async function readProperty<T extends Versioned>(path: string, what: string): Promise<Read<T>> {
  let response: Response;
  try {
    response = await requestJira(path, { headers: { Accept: 'application/json' } });
  } catch (error) {
    return { kind: 'problem', message: `Jira could not be reached for ${what}: ${errorText(error)}. Reload the page to try again.` };
  }
  if (response.status === 404) {
    return { kind: 'missing' };
  }
  if (!response.ok) {
    return {
      kind: 'problem',
      message: `Jira answered ${response.status} when reading ${what}. Check that you may browse the project; reload to try again.`,
    };
  }
  const body = (await response.json()) as { value?: T };
  const document = body.value;
  if (document === undefined || typeof document !== 'object' || document === null) {
    return { kind: 'missing' };
  }
  if (document.schema_version !== SCHEMA_VERSION) {
    return {
      kind: 'problem',
      message: `${what} has schema version ${String(document.schema_version)}, this app reads version ${SCHEMA_VERSION}: deploy the kpiokr Forge app that comes with the kpiokr release writing it.`,
    };
  }
  return { kind: 'found', document };
}

/** The objective document on one issue (by key or id). */
export function readObjective(issueKey: string): Promise<Read<ObjectiveDocument>> {
  const path = `/rest/api/3/issue/${encodeURIComponent(issueKey)}/properties/${OBJECTIVE_PROPERTY}`;
  return readProperty<ObjectiveDocument>(path, `the ${OBJECTIVE_PROPERTY} property of ${issueKey}`);
}

/** The team document on one project (by key or id). */
export function readTeams(projectKey: string): Promise<Read<TeamDocument>> {
  const path = `/rest/api/3/project/${encodeURIComponent(projectKey)}/properties/${TEAM_PROPERTY}`;
  return readProperty<TeamDocument>(path, `the ${TEAM_PROPERTY} property of project ${projectKey}`);
}

export interface ProjectChoice {
  key: string;
  name: string;
}

/** The projects the user can see, by name (the first 100), for the gadget's configuration. */
export async function listProjects(): Promise<ProjectChoice[]> {
  const response = await requestJira('/rest/api/3/project/search?maxResults=100&orderBy=name', {
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`Jira answered ${response.status} when listing projects. Reload to try again.`);
  }
  const body = (await response.json()) as { values?: ProjectChoice[] };
  return (body.values ?? []).map(({ key, name }) => ({ key, name }));
}
