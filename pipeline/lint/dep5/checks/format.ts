/**
 * debian/copyright as a file: present, readable, machine-readable, syntactically sound, and
 * declaring a known version of the format.
 *
 * Deliberately NOT reproduced: lintian's `insecure-copyright-format-uri` for an `http://` Format URI.
 * copyright-format 1.0 itself gives the http form, and both http and https are valid — lintian 2.116
 * flags a correct file there.
 */
import { defineCheck } from '../../check.js';
import { COPYRIGHT, loadCopyright } from '../load.js';

export const dep5FormatCheck = defineCheck({
  name: 'debian/copyright/dep5/format',
  tags: [
    {
      name: 'no-debian-copyright-in-source',
      severity: 'warning',
      lintian: true,
      explanation:
        'The source package has no debian/copyright. Every package must state the copyright and license of everything it ships (Policy 12.5); write one in copyright-format 1.0.',
    },
    {
      name: 'empty-debian-copyright',
      severity: 'error',
      explanation:
        'debian/copyright exists but is empty (or only blank lines and comments), so the package states no copyright or license at all. (pipeline tag; lintian reports this case only as no-dep5-copyright.)',
    },
    {
      name: 'no-dep5-copyright',
      severity: 'pedantic',
      lintian: true,
      explanation:
        'debian/copyright is not in the machine-readable format (copyright-format 1.0). Converting it lets tools check that it covers every file; none of the DEP-5 checks run until it is converted.',
    },
    {
      name: 'national-encoding',
      severity: 'warning',
      lintian: true,
      explanation: 'debian/copyright is not valid UTF-8. Debian control-style files must be UTF-8; re-encode it (e.g. with iconv).',
    },
    {
      name: 'copyright-file-not-text',
      severity: 'error',
      explanation:
        'debian/copyright holds NUL bytes: it is not a text file (UTF-16, an image, junk), and no tool can read its paragraphs. (pipeline tag: lintian\'s copyright checks skip such a file, and its files/encoding check reports national-encoding when the bytes are not UTF-8, as this check does too.) An error: `pipeline show` refuses it too.',
    },
    {
      name: 'syntax-error-in-dep5-copyright',
      severity: 'error',
      lintian: true,
      explanation:
        'debian/copyright does not parse as deb822 paragraphs at the line shown (e.g. a continuation line that does not start with a space, a line that is not `Field: value`, a duplicate field, binary data). Tools reading the file may stop or misread everything after this point. An error whatever lintian\'s severity: the file does not parse as copyright-format 1.0 intends, and `pipeline show` refuses it too.',
    },
    {
      name: 'unknown-copyright-format-uri',
      severity: 'pedantic',
      lintian: true,
      explanation:
        'The Format field does not name a known version of the machine-readable copyright format. Use `https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/` (the `http://` form is equally valid). Unlike lintian we still run the other DEP-5 checks when the file has Files paragraphs.',
    },
    {
      name: 'boilerplate-copyright-format-uri',
      severity: 'warning',
      lintian: true,
      explanation: 'The Format field still holds template text (`rev=REVISION`, `VERSIONED_FORMAT_URL`). Replace it with the copyright-format 1.0 URI.',
    },
    {
      name: 'wiki-copyright-format-uri',
      severity: 'pedantic',
      lintian: true,
      explanation: 'The Format field points at the old wiki draft of the format. Update the file to copyright-format 1.0 and its URI.',
    },
    {
      name: 'unversioned-copyright-format-uri',
      severity: 'pedantic',
      lintian: true,
      explanation: 'The Format field points at DEP-5 without a version (dep.debian.net). Use the versioned copyright-format 1.0 URI.',
    },
    {
      name: 'out-of-date-copyright-format-uri',
      severity: 'pedantic',
      lintian: true,
      explanation: 'The Format field names a draft revision of DEP-5 older than the last significant change. Update the file to copyright-format 1.0.',
    },
    {
      name: 'files-excluded-without-copyright-format-1.0',
      severity: 'error',
      lintian: true,
      explanation: 'uscan only honours Files-Excluded in a debian/copyright that declares copyright-format 1.0; with another Format the exclusions are silently ignored and the excluded files stay in the orig tarball.',
    },
    {
      name: 'copyright-has-crs',
      severity: 'pedantic',
      lintian: true,
      explanation: 'debian/copyright has carriage returns (DOS line endings). Convert it to Unix line endings.',
    },
  ],
  run(ctx, emit) {
    const at = (line?: number) => ({ file: COPYRIGHT, line });
    if (!ctx.exists(COPYRIGHT)) {
      emit('no-debian-copyright-in-source');
      return;
    }
    const c = loadCopyright(ctx);
    if (!c) return;
    // NUL bytes: not a text file at all (UTF-16, an image...). That is the one finding; its
    // encoding, line endings and format are not worth guessing at.
    if (c.text.includes('\u0000')) {
      emit('copyright-file-not-text', 'NUL bytes', at(c.binaryLines[0] ?? 1));
      // Text in another encoding (UTF-16) is national-encoding as well, as lintian's files/encoding
      // says of a file that file(1) calls text; binary junk is not text in any encoding.
      const bytes = ctx.bytes(COPYRIGHT);
      if (c.invalidUtf8 && bytes && looksUtf16(bytes)) emit('national-encoding', 'UTF-16', at(1));
      return;
    }
    if (c.invalidUtf8) emit('national-encoding', undefined, at(c.text.slice(0, Math.max(0, c.text.indexOf('\ufffd'))).split('\n').length));
    if (c.text.split('\n').every((l) => l.trim() === '' || l.startsWith('#'))) {
      emit('empty-debian-copyright', undefined, at(1));
      // Nor is it machine-readable (lintian says so too).
      emit('no-dep5-copyright', undefined, at());
      return;
    }
    // One finding for binary content, on its first line, naming the others (not one per line).
    if (c.binaryLines.length) {
      const more = c.binaryLines.slice(1, 6).join(', ') + (c.binaryLines.length > 6 ? ', ...' : '');
      emit('syntax-error-in-dep5-copyright', `binary data (control characters)${more ? `, also on lines ${more}` : ''}`, at(c.binaryLines[0]));
    }
    if (c.text.includes('\r')) emit('copyright-has-crs', undefined, at(c.text.slice(0, c.text.indexOf('\r')).split('\n').length));
    if (!c.dep5) {
      emit('no-dep5-copyright', undefined, at());
      return;
    }
    const doc = c.doc!;
    const seen = new Set<number>(c.binaryLines);
    for (const p of doc.problems) {
      // A tab-indented continuation is valid deb822 (tab-in-license-text covers License text);
      // encoding and binary content are reported above.
      if (p.kind === 'tab-continuation' || p.kind === 'encoding' || p.kind === 'binary') continue;
      if (seen.has(p.line)) continue;
      seen.add(p.line);
      emit('syntax-error-in-dep5-copyright', p.message, at(p.line));
    }
    const formatLine = doc.header?.format?.line;
    if (c.format) {
      const tag = {
        unknown: 'unknown-copyright-format-uri',
        boilerplate: 'boilerplate-copyright-format-uri',
        wiki: 'wiki-copyright-format-uri',
        unversioned: 'unversioned-copyright-format-uri',
        outdated: 'out-of-date-copyright-format-uri',
        ancient: 'out-of-date-copyright-format-uri',
        current: undefined,
      }[c.format.kind];
      if (tag) emit(tag, c.format.uri, at(formatLine));
    }
    const excluded = doc.header?.paragraph.get('Files-Excluded');
    if (excluded && c.format?.version !== '1.0') emit('files-excluded-without-copyright-format-1.0', undefined, at(excluded.line));
  },
});

/** A byte-order mark, or a NUL in every other byte (ASCII text in UTF-16) over the first 512 bytes. */
function looksUtf16(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return true;
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  return Math.max(even, odd) >= 0.9 * (n / 2) && Math.min(even, odd) <= 0.1 * (n / 2);
}
