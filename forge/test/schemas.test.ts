/**
 * The fixtures the views are tested with are what the daemon writes: each validates against the JSON
 * Schema of its property (the repository's schemas/ folder, the same files the Python tests use).
 */
import fs from 'fs';
import path from 'path';

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');
const FIXTURES = path.join(__dirname, 'fixtures');

function read(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validators = {
  objective: ajv.compile(read(path.join(SCHEMAS, 'kpiokr.objective.schema.json'))),
  team: ajv.compile(read(path.join(SCHEMAS, 'kpiokr.team.schema.json'))),
};

/** Each fixture file with the validator of its property, by its name: NAME.objective.json or NAME.team.json. */
const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => [name, name.endsWith('.team.json') ? 'team' : 'objective'] as const);

test('every scenario the views are rendered from has a fixture', () => {
  expect(fixtures.map(([name]) => name)).toEqual([
    'guardrail_breach.objective.json',
    'mob.team.json',
    'no_data_yet.objective.json',
    'on_track.objective.json',
    'shared.team.json',
    'shortened_series.objective.json',
  ]);
});

test.each(fixtures)('%s validates against the schema of its property', (name, kind) => {
  const validate = validators[kind];
  const valid = validate(read(path.join(FIXTURES, name)));
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
});

test('a document the schema does not allow is refused, naming where', () => {
  const document = { ...read(path.join(FIXTURES, 'on_track.objective.json')), status: 'fine', colour: 'green' };
  expect(validators.objective(document)).toBe(false);
  const said = (validators.objective.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  expect(said).toContain('/status must be equal to one of the allowed values');
  expect(said).toContain(' must NOT have additional properties');
});
