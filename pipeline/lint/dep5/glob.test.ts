import { describe, expect, it } from 'vitest';
import { compileFilesPattern } from './glob.js';

const m = (pattern: string, path: string) => compileFilesPattern(pattern).test(path);

describe('Files patterns (copyright-format 1.0)', () => {
  it('* matches any run of characters, including / and leading dots', () => {
    expect(m('*', 'a/b/c.txt')).toBe(true);
    expect(m('*', '.hidden')).toBe(true);
    expect(m('*.in', 'deep/dir/Makefile.in')).toBe(true);
    expect(m('src/*', 'src/a/.b/c')).toBe(true);
    expect(m('src/*', 'src/')).toBe(true);
    expect(m('src/*', 'srcx/a')).toBe(false);
  });
  it('? matches exactly one character, / and dot included', () => {
    expect(m('a?c', 'a/c')).toBe(true);
    expect(m('a?c', 'a.c')).toBe(true);
    expect(m('a?c', 'ac')).toBe(false);
    expect(m('a?c', 'abbc')).toBe(false);
  });
  it('is anchored at the root of the tree', () => {
    expect(m('Makefile.in', 'Makefile.in')).toBe(true);
    expect(m('Makefile.in', 'sub/Makefile.in')).toBe(false);
    expect(m('*/Makefile.in', 'sub/Makefile.in')).toBe(true);
    expect(m('*/Makefile.in', 'Makefile.in')).toBe(false);
  });
  it('a directory name matches nothing below it', () => {
    expect(m('src', 'src/a.c')).toBe(false);
    expect(m('src/', 'src/a.c')).toBe(false);
  });
  it('escapes: only \\*, \\? and \\\\', () => {
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axxb')).toBe(false);
    expect(m('a\\?b', 'a?b')).toBe(true);
    expect(m('a\\?b', 'axb')).toBe(false);
    expect(m('a\\\\b', 'a\\b')).toBe(true);
    expect(compileFilesPattern('a\\\\b').errors).toEqual([]);
    expect(compileFilesPattern('a\\x').errors).toEqual(['\\x']);
    expect(compileFilesPattern('trailing\\').errors).toEqual(['\\']);
    expect(m('a\\x', 'a\\x')).toBe(false); // an invalid pattern matches nothing
  });
  it('regexp metacharacters are literal', () => {
    expect(m('a+b(c)[d].e', 'a+b(c)[d].e')).toBe(true);
    expect(m('a.c*', 'abc')).toBe(false);
    expect(m('lib-1.0/*', 'lib-1.0/x')).toBe(true);
    expect(m('ŝ?x', 'ŝéx')).toBe(true);
  });
});
