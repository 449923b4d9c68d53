/**
 * Issue 14, item 4: hostile inputs are bounded. DEP-5 globs (generated against a reference),
 * many-star patterns and 100,000 patterns in seconds, per-tag summaries, no output line over 1,000
 * characters, SIGTERM mid-check, .dsc verification like dscverify, YAML resource limits, strict
 * config values, and never a stack trace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutLongLines } from '../pipeline/cli/output.js';
import { compileFilesPattern } from '../pipeline/lint/dep5/glob.js';
import { formatHuman, formatLintian } from '../pipeline/lint/format.js';
import { lintTree } from '../pipeline/lint/run.js';
import { HEADER, makeTree } from './helpers/lint-tree.js';
import { cli, errorLines, REPO, tempWorkspace } from './helpers/workspace.js';
import { rng } from './helpers/rng.js';
import { scratchDir } from './helpers/scratch.js';


/** The specification's meaning as a RegExp (the old implementation), for short inputs only. */
function reference(pattern: string, path: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') re += `\\${pattern[++i]}`;
    else if (c === '*') re += '[^]*';
    else if (c === '?') re += '[^]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u').test(path);
}

describe('DEP-5 patterns', () => {
  it('match as the specification says on 5,000 generated pattern/path pairs', () => {
    const r = rng(4);
    const pick = (s: string) => s[Math.floor(r() * s.length)];
    for (let n = 0; n < 5000; n++) {
      const pattern = Array.from({ length: 1 + Math.floor(r() * 8) }, () => (r() < 0.1 ? `\\${pick('*?\\')}` : pick('ab/.*?*'))).join('');
      const path = Array.from({ length: Math.floor(r() * 10) }, () => pick('ab/.*?\\')).join('');
      expect(compileFilesPattern(pattern).test(path), `${pattern} ${path}`).toBe(reference(pattern, path));
    }
  });

  it('a pattern of many * runs is matched in linear time', () => {
    const p = compileFilesPattern(`${'*a'.repeat(200)}*b`);
    const t0 = performance.now();
    expect(p.test('a'.repeat(100_000))).toBe(false);
    expect(p.test(`${'a'.repeat(100_000)}b`)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('100,000 patterns: lint in seconds, 50 findings per tag shown, the JSON keeps the count', async () => {
    const files: Record<string, string> = { 'a.c': '' };
    for (let i = 0; i < 300; i++) files[`src/d${i % 10}/f${i}.c`] = '';
    const patterns = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? `src/d${i % 10}/x${i}*.c` : i % 3 === 1 ? `lib/f${i}.c` : `*q${i}*z*`));
    files['debian/copyright'] = `${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nFiles: ${patterns.join('\n ')}\nCopyright: 2024 Y\nLicense: Expat\n text\n`;
    const t0 = performance.now();
    const rec = await lintTree(makeTree(files), { detectLicenses: false });
    expect(performance.now() - t0).toBeLessThan(15_000);
    const superfluous = rec.findings.filter((f) => f.tag === 'superfluous-file-pattern');
    expect(superfluous).toHaveLength(50);
    expect(rec.omitted).toContainEqual({ tag: 'superfluous-file-pattern', severity: 'warning', overridden: false, count: 100_000 - 50 });
    const text = formatHuman(rec);
    expect(text.split('\n').length).toBeLessThan(200);
    expect(text).toContain('99950 more W superfluous-file-pattern not shown');
    expect(text).toMatch(/\b1000\d\d warnings/);
    expect(formatLintian(rec)).toContain('N: 99950 more superfluous-file-pattern not shown');
  }, 60_000);
});

describe('long values', () => {
  it('a finding carries at most 400 characters of a value and says it was cut; no line over 1,000 characters', async () => {
    const long = `src/${'x'.repeat(5000)}*`;
    const rec = await lintTree(makeTree({ 'debian/copyright': `${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nFiles: ${long}\nCopyright: 2024 Y\nLicense: Expat\n text\n`, 'a.c': '' }), { detectLicenses: false });
    const f = rec.findings.find((x) => x.tag === 'superfluous-file-pattern')!;
    expect(f.detail).toMatch(/… \(4605 more characters cut\)$/);
    for (const line of [...formatHuman(rec).split('\n'), ...formatLintian(rec).split('\n')]) expect(line.length).toBeLessThanOrEqual(1000);
    const cut = cutLongLines(`short\n${'y'.repeat(3000)}`).split('\n');
    expect(cut[1].length).toBeLessThanOrEqual(1000);
    expect(cut[1]).toMatch(/characters cut\]$/);
  });
});

const BIN = join(REPO, 'bin', 'pipeline.js');

describe('signals', () => {
  it('SIGTERM ends lint at once, even in the middle of a long check', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`src/f${i}.c`] = '';
    const pats = Array.from({ length: 20_000 }, (_, i) => `*q${i}*z*y*x*`).join(' ');
    files['debian/copyright'] = `${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n\nFiles: ${pats}\nCopyright: 2024 Y\nLicense: Expat\n text\n`;
    const root = makeTree(files);
    const child = spawn('node', [BIN, 'lint', root, '--no-licenses'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIPELINE_CACHE_DIR: scratchDir('c-') } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // Wait until the checks run (the lint phase has started), then a little longer.
    for (let i = 0; i < 200 && !/… lint/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    child.kill('SIGTERM');
    const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3000));
    const how = await Promise.race([exited, timeout]);
    if (how === 'hung') child.kill('SIGKILL');
    expect(how).not.toBe('hung');
    expect(performance.now() - t0).toBeLessThan(3000);
  }, 60_000);
});

/** A native source package built by dpkg-source: [dir, dsc path]. */
function sourcePackage(): [string, string] {
  const dir = scratchDir('dsc-');
  const src = join(dir, 'demo-1.0');
  mkdirSync(join(src, 'debian', 'source'), { recursive: true });
  writeFileSync(join(src, 'debian', 'source', 'format'), '3.0 (native)\n');
  writeFileSync(join(src, 'debian', 'control'), 'Source: demo\nMaintainer: Demo <demo@example.org>\nStandards-Version: 4.7.2\n\nPackage: demo\nArchitecture: all\nDescription: d\n d.\n');
  writeFileSync(join(src, 'debian', 'changelog'), 'demo (1.0) unstable; urgency=medium\n\n  * x\n\n -- Demo <demo@example.org>  Wed, 25 Nov 2026 20:00:37 +0000\n');
  writeFileSync(join(src, 'hello.c'), 'int main(void) { return 0; }\n');
  execFileSync('dpkg-source', ['-b', 'demo-1.0'], { cwd: dir, stdio: 'ignore' });
  return [dir, join(dir, 'demo_1.0.dsc')];
}

const lineOf = (file: string, re: RegExp) => readFileSync(file, 'utf8').split('\n').findIndex((l) => re.test(l)) + 1;

async function lintDsc(dsc: string): Promise<{ code: number; err: string[]; stderr: string }> {
  const r = await cli(undefined, ['lint', dsc, '--no-licenses'], { PIPELINE_CACHE_DIR: scratchDir('c-') });
  return { code: r.exitCode, err: errorLines(r.stderr), stderr: r.stderr };
}

describe('a .dsc is verified like dscverify before it is unpacked', () => {
  it('a good .dsc is linted', async () => {
    const [, dsc] = sourcePackage();
    const r = await lintDsc(dsc);
    expect(r.code, r.stderr).not.toBe(2);
  }, 60_000);

  it('a tarball of another size, another sha256, a missing file, a wrong md5: one error naming the .dsc line', async () => {
    const cases: Array<[string, (dir: string, dsc: string) => void, RegExp, RegExp]> = [
      ['size', (dir) => writeFileSync(join(dir, 'demo_1.0.tar.xz'), Buffer.concat([readFileSync(join(dir, 'demo_1.0.tar.xz')), Buffer.from('x')])), /is \d+ bytes, the listing says \d+/, /demo_1\.0\.tar\.xz$/],
      ['sha256', (dir) => {
        const b = readFileSync(join(dir, 'demo_1.0.tar.xz'));
        b[b.length - 1] ^= 0xff;
        writeFileSync(join(dir, 'demo_1.0.tar.xz'), b);
      }, /has sha256 [0-9a-f]{64}, the listing says/, /demo_1\.0\.tar\.xz$/],
      ['missing', (dir) => execFileSync('rm', [join(dir, 'demo_1.0.tar.xz')]), /lists demo_1\.0\.tar\.xz, which is not beside it/, /demo_1\.0\.tar\.xz$/],
      ['md5', (_dir, dsc) => {
        const t = readFileSync(dsc, 'utf8');
        writeFileSync(dsc, t.replace(/^Files:\n ([0-9a-f]{32})/m, (_m, h: string) => `Files:\n ${h.replace(/^./, h[0] === '0' ? '1' : '0')}`));
      }, /has md5 [0-9a-f]{32}, the listing says/, /^ [0-9a-f]{32} \d+ demo_1\.0\.tar\.xz$/],
    ];
    for (const [name, breakIt, message, entry] of cases) {
      const [dir, dsc] = sourcePackage();
      breakIt(dir, dsc);
      const r = await lintDsc(dsc);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.err, name).toHaveLength(1);
      const want = name === 'md5' ? lineOf(dsc, entry) : readFileSync(dsc, 'utf8').split('\n').findIndex((l, i, all) => entry.test(l) && all.slice(0, i).some((x) => x.startsWith('Checksums-Sha256:'))) + 1;
      expect(r.err[0], name).toMatch(new RegExp(`demo_1\\.0\\.dsc:${want}: `));
      expect(r.err[0], name).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);

  it('a .changes given to --lintian is verified first: a file of the wrong size names the .changes line', async () => {
    const [dir, dsc] = sourcePackage();
    const entry = (name: string) => {
      const b = readFileSync(join(dir, name));
      const h = (algo: string) => createHash(algo).update(b).digest('hex');
      return { name, size: b.length, sha256: h('sha256'), md5: h('md5') };
    };
    const files = [entry('demo_1.0.dsc'), entry('demo_1.0.tar.xz')];
    files[1].size += 1;
    const changes = join(dir, 'demo_1.0_source.changes');
    writeFileSync(changes, [
      'Format: 1.8', 'Date: Wed, 25 Nov 2026 20:00:37 +0000', 'Source: demo', 'Architecture: source', 'Version: 1.0', 'Distribution: unstable',
      'Maintainer: Demo <demo@example.org>', 'Changes:', ' demo (1.0) unstable; urgency=medium', ' .', '   * x',
      'Checksums-Sha256:', ...files.map((f) => ` ${f.sha256} ${f.size} ${f.name}`),
      'Files:', ...files.map((f) => ` ${f.md5} ${f.size} devel optional ${f.name}`), '',
    ].join('\n'));
    const tree = join(dir, 'demo-1.0');
    const r = await cli(undefined, ['lint', tree, '--no-licenses', '--lintian', changes], { PIPELINE_CACHE_DIR: scratchDir('c-') });
    expect(r.exitCode, r.stderr).toBe(2);
    const err = errorLines(r.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(`demo_1\\.0_source\\.changes:${lineOf(changes, / demo_1\.0\.tar\.xz$/)}: Checksums-Sha256: demo_1\\.0\\.tar\\.xz is \\d+ bytes, the listing says`));
  }, 60_000);

  it('a truncated signature is refused', async () => {
    const [dir, dsc] = sourcePackage();
    const gnupg = scratchDir('gpg-');
    const env = { ...process.env, GNUPGHOME: gnupg };
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Demo <demo@example.org>', 'ed25519', 'sign', 'never'], { env, stdio: 'ignore' });
    execFileSync('gpg', ['--batch', '--yes', '--clearsign', '--output', join(dir, 'signed.dsc'), dsc], { env, stdio: 'ignore' });
    const signed = readFileSync(join(dir, 'signed.dsc'), 'utf8');
    writeFileSync(dsc, signed);
    expect((await lintDsc(dsc)).code).not.toBe(2);
    // Drop the last base64 line of the signature (the END line stays): truncated.
    const lines = signed.split('\n');
    const end = lines.findIndex((l) => l === '-----END PGP SIGNATURE-----');
    const crcAt = lines.findIndex((l, i) => i < end && l.startsWith('='));
    lines.splice((crcAt > 0 ? crcAt : end) - 1, 1);
    writeFileSync(dsc, lines.join('\n'));
    const r = await lintDsc(dsc);
    expect(r.code, r.stderr).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/demo_1\.0\.dsc:\d+: truncated or damaged OpenPGP signature/);
  }, 60_000);
});

describe('YAML resource limits and strict config values: one error line naming file:line:key', () => {
  const run = async (edit: (text: string) => string, pattern: RegExp) => {
    const ws = tempWorkspace(['txaws']);
    writeFileSync(ws.config, edit(readFileSync(ws.config, 'utf8')));
    const r = await cli(ws, ['packages']);
    const err = errorLines(r.stderr);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(err, r.stderr).toHaveLength(1);
    expect(err[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };
  it('an alias bomb', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, k) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[k]}`).join(',')}]`)].join('\n');
    await run((t) => `${t}\nx-bomb:\n${bomb.split('\n').map((l) => `  ${l}`).join('\n')}\n`, /^pipeline: pipeline\.yaml:\d+: invalid YAML: aliases expand to more than 100 nodes/);
  }, 30_000);
  it('nesting 100,000 deep', async () => {
    await run((t) => `${t}\nx-deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /^pipeline: pipeline\.yaml:\d+: invalid YAML: nested deeper than 64 levels/);
  }, 30_000);
  it('a file over the size limit', async () => {
    await run((t) => `${t}\n# ${'x'.repeat(2 << 20)}\n`, /^pipeline: pipeline\.yaml: invalid YAML: \d+ characters, over the \d+ limit/);
  }, 30_000);
  it('a mirror URL with shell characters', async () => {
    await run((t) => t.replace('mirror: http://deb.debian.org/debian\n', 'mirror: "http://deb.debian.org/debian;touch /tmp/x"\n'), /^pipeline: pipeline\.yaml:\d+: series\.\w+\.mirror: must be a mirror URL/);
  }, 30_000);
  it('a series name with shell characters', async () => {
    await run((t) => t.replace(/series: trixie \}/, 'series: "trixie$(id)" }'), /^pipeline: pipeline\.yaml:\d+: stages\.\d+\.target\.series: must be a suite or series name/);
  }, 30_000);
  it('a dput host with a space', async () => {
    const ws = tempWorkspace(['txaws']);
    writeFileSync(join(ws.root, 'ubuntu.yaml'), readFileSync(join(REPO, 'profiles', 'ubuntu.yaml'), 'utf8').replace('host: ubuntu', 'host: "ubuntu -o x"').replace(/^root: .*$/m, 'root: .'));
    const r = await cli(ws, ['--config', join(ws.root, 'ubuntu.yaml'), 'packages']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(/^pipeline: ubuntu\.yaml:\d+: archives\.ubuntu\.host: must be ppa:OWNER\/NAME or a dput\.cf host name/);
  }, 30_000);
});

describe('generated hostile configuration and package files', () => {
  it('300 mutated pipeline.yaml / package.yaml texts: each loads or is one PipelineError with file and line, never another exception', async () => {
    const { parseYamlText } = await import('../pipeline/config/yaml.js');
    const { ConfigSchema, PackageSchema } = await import('../pipeline/config/schema.js');
    const { isPipelineError } = await import('../pipeline/errors.js');
    const bases: Array<[string, typeof ConfigSchema | typeof PackageSchema]> = [
      [readFileSync(join(REPO, 'pipeline.yaml'), 'utf8'), ConfigSchema],
      [readFileSync(join(REPO, 'packages', 'txaws', 'package.yaml'), 'utf8'), PackageSchema],
    ];
    const r = rng(11);
    const junk = ['&a x', '*a', '*zz', '[[[[', '}', ': :', '\t', '"', "'", '$(id)', ';', '`', '\\u0000', '!!binary', '!!js/function', '<<: *a', '- - -', '? ', '%YAML 9', '---', '...', 'x'.repeat(5000)];
    let failures = 0;
    for (let n = 0; n < 300; n++) {
      const [base, schema] = bases[n % 2];
      const lines = base.split('\n');
      for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
        const at = Math.floor(r() * lines.length);
        const pos = Math.floor(r() * (lines[at].length + 1));
        lines[at] = lines[at].slice(0, pos) + junk[Math.floor(r() * junk.length)] + lines[at].slice(pos);
      }
      try {
        parseYamlText(lines.join('\n'), schema, 'x.yaml');
      } catch (e) {
        if (!isPipelineError(e)) throw new Error(`case ${n}: ${String(e)}\n${lines.join('\n')}`);
        expect(e.oneLine()).toMatch(/^x\.yaml(?::\d+)?: /);
        expect(e.oneLine().split('\n')).toHaveLength(1);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(120);
  });
});

describe('generated hostile debian/ trees', () => {
  it('200 trees of mutated or random changelog, control, copyright, watch, format: lint gives findings, never an exception', async () => {
    const r = rng(23);
    const good: Record<string, string> = {
      'debian/changelog': 'demo (1.0-1) unstable; urgency=medium\n\n  * x\n\n -- Demo <demo@example.org>  Wed, 25 Nov 2026 20:00:37 +0000\n',
      'debian/control': 'Source: demo\nMaintainer: Demo <demo@example.org>\nBuild-Depends: debhelper-compat (= 13)\nStandards-Version: 4.7.2\n\nPackage: demo\nArchitecture: all\nDescription: d\n d.\n',
      'debian/copyright': `${HEADER}\nFiles: *\nCopyright: 2024 X\nLicense: Expat\n text\n`,
      'debian/watch': 'version=4\nhttps://example.org/ demo-(.*)\\.tar\\.gz\n',
      'debian/source/format': '3.0 (quilt)\n',
    };
    const junk = ['\u0000', '\r', '\t', ' ', ':', '\n', '\n\n', '*', '?', '\\', '(', ')', ';', ',', '<', '>', '-----BEGIN PGP SIGNED MESSAGE-----\n', 'é', '\uFFFD', 'x'.repeat(2000), '[', '|', 'or', 'with'];
    for (let n = 0; n < 200; n++) {
      const files: Record<string, string | Buffer> = { 'a.c': '/* SPDX-License-Identifier: MIT */\n' };
      for (const [k, v] of Object.entries(good)) {
        if (r() < 0.1) continue; // missing
        if (r() < 0.1) {
          files[k] = Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
          continue;
        }
        let text = v;
        for (let m = 0; m < Math.floor(r() * 6); m++) {
          const at = Math.floor(r() * (text.length + 1));
          text = r() < 0.3 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 5)) : text.slice(0, at) + junk[Math.floor(r() * junk.length)] + text.slice(at);
        }
        files[k] = text;
      }
      const rec = await lintTree(makeTree(files), { detectLicenses: r() < 0.5 });
      for (const f of rec.findings) {
        expect(typeof f.tag).toBe('string');
        if (f.detail) expect(f.detail.length).toBeLessThan(500);
      }
    }
  }, 120_000);
});
