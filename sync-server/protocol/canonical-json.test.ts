import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'é' }, u: undefined })).toBe(
      '{"a":{"c":"é","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });
  it('gives the same text for the same value built in another order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
  it('refuses numbers JSON cannot represent', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(RangeError);
  });
});
