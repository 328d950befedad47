import { STATES_ERRORS, StatesError } from '../../../workflows/machines/asl/errors';
import { applyResultPath, isValidPath, parseReferencePath, PathNotFound, pathExists, readPath } from '../../../workflows/machines/asl/paths';
import { applyTemplate, filterPath, type PathScope } from '../../../workflows/machines/asl/payload';

const input = { a: { b: [10, 20, 30], 'odd key': 'x' }, items: [{ n: 1, ok: true }, { n: 2, ok: false }, { n: 3, ok: true }], s: 'text' };
const context = { Execution: { Name: 'run-1' }, Map: { Item: { Index: 2 } } };
const scope = (data: unknown = input): PathScope => ({ input: data, context, variables: { limit: 5, user: { name: 'ada' } }, env: { random: () => 0.5, uuid: () => 'u' } });

describe('ASL paths', () => {
  it.each([
    ['$', []],
    ['$.a.b', ['a', 'b']],
    ["$.a['odd key']", ['a', 'odd key']],
    ['$.a.b[2]', ['a', 'b', 2]],
    ['$["a"]', ['a']],
  ])('%s is a Reference Path', (path, segments) => {
    expect(parseReferencePath(path)).toEqual(segments);
  });

  it.each(['$.items[*].n', '$..n', '$.a.b[0:2]', '$.items[?(@.ok)]', 'a.b', '$.a b'])('%s is not a Reference Path', (path) => {
    expect(parseReferencePath(path)).toBeUndefined();
  });

  it('reads definite paths as the value and indefinite ones as the array of matches', () => {
    expect(readPath('$.a.b[1]', input, context)).toBe(20);
    expect(readPath("$.a['odd key']", input, context)).toBe('x');
    expect(readPath('$.items[*].n', input, context)).toEqual([1, 2, 3]);
    expect(readPath('$.items[?(@.ok == true)].n', input, context)).toEqual([1, 3]);
    expect(readPath('$..n', input, context)).toEqual([1, 2, 3]);
    expect(readPath('$.items[*].missing', input, context)).toEqual([]);
  });

  it('reads the context object with $$ and variables with $name', () => {
    expect(readPath('$$.Execution.Name', input, context)).toBe('run-1');
    expect(readPath('$$.Map.Item.Index', input, context)).toBe(2);
    expect(readPath('$user.name', input, context, { user: { name: 'ada' } })).toBe('ada');
    expect(() => readPath('$nobody', input, context, {})).toThrow(PathNotFound);
  });

  it('a Reference Path that names nothing throws PathNotFound; IsPresent sees it as absent', () => {
    expect(() => readPath('$.a.c', input, context)).toThrow(PathNotFound);
    expect(() => readPath('$.a.b[3]', input, context)).toThrow(PathNotFound);
    expect(() => readPath('$.s.length', input, context)).toThrow(PathNotFound);
    expect(pathExists('$.a.c', input, context)).toBe(false);
    expect(pathExists('$.a.b', input, context)).toBe(true);
    expect(pathExists('$.items[*].missing', input, context)).toBe(false);
  });

  it('validates path syntax', () => {
    expect(isValidPath('$.a[?(@.x > 1)]')).toBe(true);
    expect(isValidPath('$$.Execution.Id')).toBe(true);
    expect(isValidPath('a.b')).toBe(false);
  });

  describe('ResultPath', () => {
    it('replaces, discards, or places the result, creating the objects on the way', () => {
      expect(applyResultPath({ x: 1 }, '$', { r: 2 })).toEqual({ r: 2 });
      expect(applyResultPath({ x: 1 }, undefined, 'r')).toBe('r');
      expect(applyResultPath({ x: 1 }, null, 'r')).toEqual({ x: 1 });
      expect(applyResultPath({ x: 1 }, '$.out.deep', 'r')).toEqual({ x: 1, out: { deep: 'r' } });
      expect(applyResultPath({ x: 1, out: { keep: true } }, '$.out.add', 2)).toEqual({ x: 1, out: { keep: true, add: 2 } });
      expect(applyResultPath({ list: [1, 2] }, '$.list[1]', 'two')).toEqual({ list: [1, 'two'] });
    });

    it('does not change the input it is given', () => {
      const data = { x: { y: 1 } };
      applyResultPath(data, '$.x.z', 2);
      expect(data).toEqual({ x: { y: 1 } });
    });

    it.each([
      ['a string input', 'text', '$.r'],
      ['a non-object on the way', { x: 5 }, '$.x.y'],
      ['an index past the end', { list: [] }, '$.list[0]'],
    ])('is States.ResultPathMatchFailure for %s', (_what, data, path) => {
      let caught: unknown;
      try {
        applyResultPath(data, path, 1);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StatesError);
      expect((caught as StatesError).error).toBe(STATES_ERRORS.ResultPathMatchFailure);
    });
  });

  describe('payload templates', () => {
    it('resolves .$ keys (paths, context, variables, intrinsics) at every depth and copies the rest', () => {
      const template = {
        literal: 'kept',
        'first.$': '$.a.b[0]',
        nested: { 'run.$': '$$.Execution.Name', 'limit.$': '$limit', list: [{ 'n.$': '$.items[0].n' }] },
        'joined.$': "States.Format('{}-{}', $.s, $user.name)",
      };
      expect(applyTemplate(template, scope())).toEqual({ literal: 'kept', first: 10, nested: { run: 'run-1', limit: 5, list: [{ n: 1 }] }, joined: 'text-ada' });
    });

    it('a .$ path that matches nothing is States.Runtime naming the field', () => {
      expect(() => applyTemplate({ deep: { 'x.$': '$.nope' } }, scope())).toThrow(/deep\.x\.\$/);
      try {
        applyTemplate({ 'x.$': '$.nope' }, scope());
      } catch (err) {
        expect((err as StatesError).error).toBe(STATES_ERRORS.Runtime);
      }
    });

    it('InputPath/OutputPath: absent keeps the data, null gives {}, a path selects', () => {
      expect(filterPath(undefined, 'InputPath', scope())).toBe(input);
      expect(filterPath(null, 'InputPath', scope())).toEqual({});
      expect(filterPath('$.a.b', 'InputPath', scope())).toEqual([10, 20, 30]);
    });
  });
});
