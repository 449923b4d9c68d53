import { describe, expect, it } from 'vitest';
import { dep14Tag, mangleVersion } from './dep14.js';

describe('DEP-14 tag names', () => {
  it('mangles epochs, tildes and dots git refuses, as gbp does', () => {
    expect(dep14Tag('debian', '3.9.3-2~ppa1')).toBe('debian/3.9.3-2_ppa1');
    expect(dep14Tag('debian', '3.9.3-2~bpo12+1')).toBe('debian/3.9.3-2_bpo12+1');
    expect(dep14Tag('ubuntu', '3.9.3-2~bpo24.04.1')).toBe('ubuntu/3.9.3-2_bpo24.04.1');
    expect(dep14Tag('debian', '1:2.0~rc1-1')).toBe('debian/1%2.0_rc1-1');
    expect(dep14Tag('debian', '1.0..1-1')).toBe('debian/1.0.#.1-1');
    expect(mangleVersion('1.0...1')).toBe('1.0.#.#.1');
    expect(mangleVersion('2.0.')).toBe('2.0.#');
    expect(mangleVersion('1.lock')).toBe('1.#lock');
    expect(dep14Tag('debian', '3.9.3-2')).toBe('debian/3.9.3-2');
  });

  it('refuses what is not a Debian version', () => {
    expect(() => dep14Tag('debian', 'not a version')).toThrow(/version/);
  });
});
