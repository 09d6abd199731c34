import { describe, expect, it } from 'vitest';
import {
  datasetFieldsSchema,
  evaluationFieldsSchema,
  parseBuilderFields,
  trainingFieldsSchema,
  unknownField,
} from '../../src/statements/builders.js';
import { failure } from '../helpers/codes.js';

describe('builder field schemas', () => {
  describe('unknownField', () => {
    it('names the first unknown field, depth first, with the fields allowed where it is', () => {
      expect(unknownField(datasetFieldsSchema, { name: 'x', colour: 'red' })).toEqual({
        path: 'colour',
        allowed: ['name', 'version', 'owner', 'description', 'license', 'classification', 'sources', 'processing'],
      });
      expect(unknownField(datasetFieldsSchema, { classification: { pii: false, secret: 1 } })).toEqual({
        path: 'classification.secret',
        allowed: ['sensitivity', 'pii', 'tags'],
      });
      expect(unknownField(evaluationFieldsSchema, { metrics: [{ name: 'a' }, { name: 'b', weight: 2 }] })?.path).toBe(
        'metrics[1].weight',
      );
      expect(unknownField(datasetFieldsSchema, { sources: [{ uri: 'https://x', extra: 1 }] })).toEqual({
        path: 'sources[0].extra',
        allowed: ['name', 'uri', 'digest', 'mediaType', 'downloadLocation'],
      });
    });
    it('allows any field in records and loose objects, and does not descend into values of another type', () => {
      expect(unknownField(trainingFieldsSchema, { hyperparameters: { anything: { goes: 1 } } })).toBeUndefined();
      expect(unknownField(trainingFieldsSchema, { byproducts: [{ name: 'log', whatever: 1 }] })).toBeUndefined();
      expect(unknownField(datasetFieldsSchema, { classification: 'public', sources: 3 })).toBeUndefined();
    });
  });
  describe('parseBuilderFields', () => {
    const dataset = {
      name: 'n',
      version: '1',
      owner: 'o',
      license: 'MIT',
      classification: { sensitivity: 'internal', pii: false },
      sources: [],
    };
    it('returns the typed fields', () => {
      expect(parseBuilderFields(datasetFieldsSchema, dataset, 'dataset input')).toEqual(dataset);
    });
    it('refuses an unknown field (INVALID_ARGUMENT) and a wrong value (PREDICATE_INVALID), with the path', () => {
      expect(failure(() => parseBuilderFields(datasetFieldsSchema, { ...dataset, colour: 1 }, 'x'))).toEqual({
        code: 'INVALID_ARGUMENT',
        path: 'colour',
      });
      const bad = { ...dataset, classification: { sensitivity: 'top-secret', pii: false } };
      expect(failure(() => parseBuilderFields(datasetFieldsSchema, bad, 'x'))).toEqual({
        code: 'PREDICATE_INVALID',
        path: 'classification.sensitivity',
      });
    });
  });
});
