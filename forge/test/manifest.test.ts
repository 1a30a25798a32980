/**
 * The manifest checked offline with @forge/manifest's own validator (the one the Forge CLI runs
 * before a deploy), and held to what the app promises: UI Kit views only, no backend function, no
 * egress, the read:jira-work scope alone, and the indexed values within the module's limit.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { validate } from '@forge/manifest';
import { parse } from 'yaml';

const MANIFEST = path.join(__dirname, '..', 'manifest.yml');

interface Manifest {
  modules: Record<string, Array<Record<string, unknown>>>;
  permissions: Record<string, unknown> & { scopes: string[] };
  resources: Array<{ key: string; path: string }>;
}

const manifest = parse(fs.readFileSync(MANIFEST, 'utf8')) as Manifest;

test('the Forge validator accepts the manifest', async () => {
  const result = await validate(false, MANIFEST);
  expect(result.errors ?? []).toEqual([]);
  expect(result.success).toBe(true);
});

test('the Forge validator rejects a manifest whose view is missing', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kpiokr-forge-'));
  const broken = path.join(folder, 'manifest.yml');
  fs.writeFileSync(broken, fs.readFileSync(MANIFEST, 'utf8'));
  const result = await validate(false, broken);
  expect(result.success).toBe(false);
  expect(result.errors?.map((error) => error.message).join('\n')).toContain('src/panel/index.tsx');
});

test('UI Kit views only: no backend function, no egress, read:jira-work alone', () => {
  expect(manifest.permissions).toEqual({ scopes: ['read:jira-work'] });
  expect(Object.keys(manifest.modules).sort()).toEqual(['jira:dashboardGadget', 'jira:entityProperty', 'jira:issueContext']);
  const views = [...manifest.modules['jira:issueContext'], ...manifest.modules['jira:dashboardGadget']];
  for (const view of views) {
    expect(view.render).toBe('native');
    expect(view.resolver).toBeUndefined();
  }
  expect(manifest.modules['jira:dashboardGadget'][0].edit).toEqual({ resource: 'team-gadget-config', render: 'native' });
  for (const resource of manifest.resources) {
    expect(fs.existsSync(path.join(__dirname, '..', resource.path))).toBe(true);
  }
});

test('the panel shows only where the daemon wrote kpiokr.objective', () => {
  const [panel] = manifest.modules['jira:issueContext'];
  expect(panel.displayConditions).toMatchObject({
    entityPropertyExists: { entity: 'issue', propertyKey: 'kpiokr.objective' },
  });
});

test('score and status of kpiokr.objective are indexed for JQL, within 30 values', () => {
  const [index] = manifest.modules['jira:entityProperty'] as Array<{
    propertyKey: string;
    entityType: string;
    values: Array<{ path: string; type: string }>;
  }>;
  expect(index.propertyKey).toBe('kpiokr.objective');
  expect(index.entityType).toBe('issue');
  const types = Object.fromEntries(index.values.map((value) => [value.path, value.type]));
  expect(types).toMatchObject({ score: 'number', status: 'string' });
  expect(index.values.length).toBeLessThanOrEqual(30);
});
