/**
 * debian/control: one source paragraph, then one paragraph per binary package. A broken file is
 * one PipelineError naming FILE:LINE (what dpkg-source would refuse, said before it runs); the
 * finer checks (field values, relations, policy) are lint's job, which uses the tolerant
 * parseDeb822 and parseRelations directly.
 */
import { readFileSync } from 'node:fs';
import { PipelineError } from '../errors.js';
import { parseDeb822, type Deb822Document, type Deb822Paragraph } from './deb822.js';

export { parseRelations, parseFieldRelations, formatRelation, formatRelations } from './relations.js';
export type { Relation, RelationGroup, RelationProblem, ParsedRelations, VersionConstraint, Restriction, RelationOperator } from './relations.js';

export interface ControlFile {
  file: string;
  source: Deb822Paragraph;
  binaries: Deb822Paragraph[];
  document: Deb822Document;
  /** The Source field's value. */
  sourceName: string;
  /** The Package field of each binary paragraph, in file order. */
  packageNames: string[];
}

/** Policy 5.6.1/5.6.7: lower-case letters, digits, + - . ; at least two characters, starting alphanumeric. */
export function isValidPackageName(name: string): boolean {
  if (name.length < 2) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
    if (i === 0 ? !alnum : !(alnum || c === 43 || c === 45 || c === 46)) return false;
  }
  return true;
}

/** Parses debian/control text; throws one PipelineError (file:line) for a structurally broken file. */
export function parseControl(text: string, file: string): ControlFile {
  const document = parseDeb822(text, { file, strict: true });
  const [source, ...binaries] = document.paragraphs;
  if (!source) throw new PipelineError('no paragraphs: a control file needs a Source paragraph and at least one Package paragraph', { file, line: 1 });

  const sourceField = source.get('Source');
  if (!sourceField) {
    const pkg = source.get('Package');
    throw new PipelineError(pkg
      ? `the first paragraph must be the source paragraph (Source: ...), but it is binary package '${pkg.value}'`
      : 'missing Source field in the first (source) paragraph', { file, line: source.line, key: 'Source' });
  }
  if (!isValidPackageName(sourceField.value)) {
    throw new PipelineError(`invalid source package name '${sourceField.value}' (lower-case letters, digits, + - . ; at least two characters)`, { file, line: sourceField.line, key: 'Source' });
  }
  if (binaries.length === 0) {
    throw new PipelineError('no binary package paragraph (Package: ...) after the source paragraph', { file, line: source.endLine });
  }
  const seen = new Map<string, number>();
  const packageNames: string[] = [];
  for (const para of binaries) {
    const pkg = para.get('Package');
    if (!pkg) {
      const src = para.get('Source');
      throw new PipelineError(src
        ? `a second Source paragraph (first at line ${source.line}); binary paragraphs need a Package field`
        : 'binary paragraph without a Package field', { file, line: para.line, key: 'Package' });
    }
    if (!isValidPackageName(pkg.value)) {
      throw new PipelineError(`invalid binary package name '${pkg.value}'`, { file, line: pkg.line, key: 'Package' });
    }
    const earlier = seen.get(pkg.value);
    if (earlier !== undefined) {
      throw new PipelineError(`binary package '${pkg.value}' defined twice (first at line ${earlier})`, { file, line: pkg.line, key: 'Package' });
    }
    seen.set(pkg.value, pkg.line);
    packageNames.push(pkg.value);
  }
  return { file, source, binaries, document, sourceName: sourceField.value, packageNames };
}

/** Reads and parses a debian/control file. */
export function parseControlFile(path: string, displayName = path): ControlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: displayName, cause: e });
  }
  return parseControl(text, displayName);
}
