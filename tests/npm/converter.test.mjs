// The JSON Schema → TypeScript converter in scripts/build-npm.mjs, on the constructs schemars
// writes (and on some it refuses). Needs nothing built.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemasToTypeScript } from '../../scripts/build-npm.mjs';

const S = 'https://json-schema.org/draft/2020-12/schema';

test('objects, required and optional properties, nullable types, refs, enums and maps', () => {
  const ts = schemasToTypeScript([
    {
      name: 'Report',
      schema: {
        $schema: S,
        title: 'Report',
        type: 'object',
        properties: {
          label: { $ref: '#/$defs/Label' },
          mode: { $ref: '#/$defs/Mode' },
          status: { type: ['integer', 'null'], format: 'uint16', minimum: 0 },
          layers: { anyOf: [{ $ref: '#/$defs/Layers' }, { type: 'null' }] },
          names: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
          pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 2, maxItems: 2 },
          'content-type': { type: 'string' },
        },
        required: ['label', 'mode', 'pair'],
        $defs: {
          Label: { type: 'string', enum: ['stateless', 'stateful'] },
          Mode: {
            oneOf: [
              { type: 'string', enum: ['a', 'b'] },
              { description: 'The third.', type: 'string', const: 'c-d' },
            ],
          },
          Layers: { type: 'object', properties: { upper: { type: 'array', items: { type: 'integer' } } }, required: ['upper'], additionalProperties: false },
        },
      },
    },
  ]);
  assert.match(ts, /export interface Report \{/);
  assert.match(ts, /^  label: Label;$/m);
  assert.match(ts, /^  status\?: number \| null;$/m);
  assert.match(ts, /^  layers\?: Layers \| null;$/m);
  assert.match(ts, /^  names\?: \{ \[key: string\]: string \};$/m);
  assert.match(ts, /^  pair: \[string, number\];$/m);
  assert.match(ts, /^  "content-type"\?: string;$/m);
  assert.match(ts, /export type Label = "stateless" \| "stateful";/);
  assert.match(ts, /export type Mode = "a" \| "b" \| "c-d";/);
  assert.match(ts, /- `"c-d"`: The third\./);
  assert.match(ts, /export interface Layers \{\n {2}upper: number\[\];\n\}/);
});

test('a root that is also a definition elsewhere becomes an alias; a differing one is refused', () => {
  const rules = { title: 'UserRules', type: 'object', properties: { names: { type: 'object', additionalProperties: { type: 'string' } } } };
  const options = {
    $schema: S,
    title: 'Options',
    type: 'object',
    properties: { rules: { anyOf: [{ $ref: '#/$defs/UserRules' }, { type: 'null' }] } },
    $defs: { UserRules: { type: 'object', properties: rules.properties } },
  };
  const ts = schemasToTypeScript([
    { name: 'Options', schema: options },
    { name: 'Rules', schema: { $schema: S, ...rules } },
  ]);
  assert.match(ts, /export type Rules = UserRules;/);
  assert.match(ts, /export interface UserRules \{/);
  assert.throws(
    () => schemasToTypeScript([{ name: 'Options', schema: options }, { name: 'Rules', schema: { ...rules, properties: { other: { type: 'string' } } } }]),
    /differs/,
  );
});

test('what the converter cannot express is refused, not guessed', () => {
  assert.throws(
    () => schemasToTypeScript([{ name: 'X', schema: { type: 'object', patternProperties: { '^a': { type: 'string' } } } }]),
    /`patternProperties` is not supported/,
  );
  assert.throws(() => schemasToTypeScript([{ name: 'X', schema: { $ref: 'other.json#/Foo' } }]), /unsupported \$ref/);
  assert.throws(() => schemasToTypeScript([{ name: 'X', schema: { $ref: '#/$defs/Missing' } }]), /missing definition/);
});
