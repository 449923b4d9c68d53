/**
 * debian/source/format and debian/watch: the source format declared and supported, and a watch
 * file (version 4 line format or version 5 deb822 format) that uscan can read.
 */
import { parseDeb822 } from '../../debian/deb822.js';
import { defineCheck } from '../check.js';
import { loadChangelog } from './changelog.js';

const FORMAT = 'debian/source/format';
const WATCH = 'debian/watch';
const KNOWN_SOURCE_FILES = new Set([
  'format', 'options', 'local-options', 'patch-header', 'local-patch-header', 'lintian-overrides', 'include-binaries', 'git-patches', 'options.orig',
]);

export const sourceFormatCheck = defineCheck({
  name: 'debian/source-dir',
  tags: [
    { name: 'missing-debian-source-format', severity: 'warning', lintian: true, explanation: 'debian/source/format is missing; dpkg-source then assumes the obsolete 1.0 format. Declare `3.0 (quilt)` (or `3.0 (native)`).' },
    { name: 'unsupported-source-format', severity: 'error', lintian: true, explanation: 'debian/source/format names a format the archive does not accept (only 1.0, 3.0 (quilt) and 3.0 (native)).' },
    { name: 'older-source-format', severity: 'info', lintian: true, explanation: 'The source uses format 1.0; 3.0 (quilt) or 3.0 (native) are better in every way.' },
    {
      name: 'source-format-does-not-fit-version',
      severity: 'error',
      explanation: 'A 3.0 (quilt) source needs a version with a Debian revision (`1.2-1`); a 3.0 (native) one a version without (`1.2`). dpkg-source refuses the mismatch. (pipeline tag.)',
    },
    { name: 'unknown-file-in-debian-source', severity: 'error', lintian: true, explanation: 'debian/source/ holds a file dpkg-source does not know; it is probably misplaced.' },
  ],
  run(ctx, emit) {
    const text = ctx.text(FORMAT);
    if (text === undefined) {
      emit('missing-debian-source-format');
    } else {
      const format = text.trim();
      if (!['1.0', '3.0 (quilt)', '3.0 (native)'].includes(format)) emit('unsupported-source-format', format, { file: FORMAT, line: 1 });
      else if (format === '1.0') emit('older-source-format', format, { file: FORMAT, line: 1 });
      const version = loadChangelog(ctx)?.entries[0]?.version;
      if (version) {
        const native = !version.replace(/^\d+:/, '').includes('-');
        if ((format === '3.0 (quilt)' && native) || (format === '3.0 (native)' && !native))
          emit('source-format-does-not-fit-version', `${format} with version ${version}`, { file: FORMAT, line: 1 });
      }
    }
    for (const f of ctx.files()) {
      const m = /^debian\/source\/([^/]+)$/.exec(f);
      if (m && !KNOWN_SOURCE_FILES.has(m[1])) emit('unknown-file-in-debian-source', m[1], { file: f });
    }
  },
});

export const watchCheck = defineCheck({
  name: 'debian/watch',
  tags: [
    {
      name: 'debian-watch-file-is-missing',
      severity: 'info',
      lintian: true,
      explanation: 'There is no debian/watch, so uscan (and the archive\'s upstream trackers) cannot find new upstream releases. A watch file is also a Main Inclusion requirement.',
    },
    { name: 'missing-debian-watch-file-standard', severity: 'warning', lintian: true, explanation: 'debian/watch does not start with its format version (`version=4`, or `Version: 5` for the deb822 format).' },
    { name: 'unknown-debian-watch-file-standard', severity: 'warning', lintian: true, explanation: 'debian/watch declares a format version uscan does not know (2, 3, 4 and 5 exist).' },
    { name: 'obsolete-debian-watch-file-standard', severity: 'warning', lintian: true, explanation: 'debian/watch uses format version 2 or older; use version 4 (or 5).' },
    { name: 'older-debian-watch-file-standard', severity: 'info', lintian: true, explanation: 'debian/watch uses format version 3; version 4 (or 5) reads better and has more features.' },
    {
      name: 'debian-watch-line-invalid',
      severity: 'warning',
      lintian: true,
      explanation: 'A watch line (version 4: `[opts="..."] URL MATCHING-PATTERN [VERSION [SCRIPT]]`; version 5: a paragraph with a Source field) cannot be read by uscan.',
    },
    { name: 'debian-watch-uses-insecure-uri', severity: 'info', lintian: true, explanation: 'The watch file fetches over http:// or ftp://; use https:// where upstream offers it.' },
  ],
  run(ctx, emit) {
    const text = ctx.text(WATCH);
    const native = !(loadChangelog(ctx)?.entries[0]?.version ?? '-').replace(/^\d+:/, '').includes('-');
    if (text === undefined) {
      if (!native) emit('debian-watch-file-is-missing');
      return;
    }
    const lines = text.split('\n');
    // Join `\`-continued lines, keeping the first line's number.
    const logical: Array<{ line: number; text: string }> = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i];
      if (/^\s*#/.test(raw) || raw.trim() === '') continue;
      let t = raw.trim();
      const start = i + 1;
      while (t.endsWith('\\') && i + 1 < lines.length) t = t.slice(0, -1) + lines[++i].trim();
      logical.push({ line: start, text: t });
    }
    const first = logical[0];
    if (!first) {
      emit('missing-debian-watch-file-standard', undefined, { file: WATCH });
      return;
    }
    const v5 = /^version\s*:\s*(\S+)\s*$/i.exec(first.text);
    const v4 = /^version\s*=\s*(\S+)\s*$/.exec(first.text);
    if (v5) {
      if (v5[1] !== '5') emit('unknown-debian-watch-file-standard', v5[1], { file: WATCH, line: first.line });
      const doc = parseDeb822(text, { file: WATCH });
      for (const p of doc.problems) if (p.severity !== 'warning') emit('debian-watch-line-invalid', p.message, { file: WATCH, line: p.line });
      const norm = (n: string) => n.toLowerCase().replace(/-/g, '');
      const sources = doc.paragraphs.slice(1);
      if (sources.length === 0) emit('debian-watch-line-invalid', 'no watch paragraph after the Version paragraph', { file: WATCH, line: first.line });
      for (const p of sources) {
        const src = p.fields.find((f) => norm(f.name) === 'source');
        const untrackable = p.fields.some((f) => norm(f.name) === 'untrackable') || doc.paragraphs[0].fields.some((f) => norm(f.name) === 'untrackable');
        if (!src && !untrackable) emit('debian-watch-line-invalid', 'paragraph has no Source field', { file: WATCH, line: p.line });
        else if (src && /^(?:http|ftp):\/\//.test(src.value.trim())) emit('debian-watch-uses-insecure-uri', src.value.trim(), { file: WATCH, line: src.line });
      }
      return;
    }
    if (!v4) {
      emit('missing-debian-watch-file-standard', undefined, { file: WATCH, line: first.line });
      return;
    }
    const version = v4[1];
    if (!['2', '3', '4'].includes(version)) {
      emit(/^\d+$/.test(version) && Number(version) < 2 ? 'obsolete-debian-watch-file-standard' : 'unknown-debian-watch-file-standard', version, { file: WATCH, line: first.line });
    } else if (version === '2') emit('obsolete-debian-watch-file-standard', version, { file: WATCH, line: first.line });
    else if (version === '3') emit('older-debian-watch-file-standard', version, { file: WATCH, line: first.line });
    for (const l of logical.slice(1)) {
      let rest = l.text;
      const opts = /^opts\s*=\s*(?:"([^"]*)"|(\S+))\s*/.exec(rest);
      if (opts) rest = rest.slice(opts[0].length);
      else if (/^opts\s*=\s*"/.test(rest)) {
        emit('debian-watch-line-invalid', 'unterminated opts="..."', { file: WATCH, line: l.line });
        continue;
      }
      if (rest === '' && opts) continue; // an opts-only line sets defaults
      const words = rest.split(/\s+/);
      const url = words[0];
      if (!/^(?:https?|ftp):\/\/\S+/.test(url) && !/^@/.test(url)) {
        emit('debian-watch-line-invalid', l.text.length > 80 ? `${l.text.slice(0, 77)}...` : l.text, { file: WATCH, line: l.line });
        continue;
      }
      // Version 4 lets the matching pattern be the URL's last path component.
      const pattern = words[1] ?? (/\(.*\)/.test(url) ? url : undefined);
      if (!pattern && !/mode=git|mode=svn/.test(opts?.[1] ?? opts?.[2] ?? '')) emit('debian-watch-line-invalid', `no matching pattern: ${l.text}`, { file: WATCH, line: l.line });
      if (/^(?:http|ftp):\/\//.test(url)) emit('debian-watch-uses-insecure-uri', url, { file: WATCH, line: l.line });
    }
  },
});
