/**
 * "What does not parse is an error": the tags that mean Debian's tools cannot read debian/control,
 * debian/changelog or debian/copyright as intended. Each is error-severity whatever lintian says,
 * so `pipeline lint` fails at its default gate; `pipeline show` runs the same checks on a package's
 * debian/ (parseErrors) and refuses the same files, naming the first finding's file and line.
 */
import type { Finding } from '../state/records.js';
import type { Check } from './check.js';
import { dep5FormatCheck } from './dep5/checks/format.js';
import { dep5LicensesCheck } from './dep5/checks/licenses.js';
import { dep5StructureCheck } from './dep5/checks/structure.js';
import { changelogCheck } from './metadata/changelog.js';
import { controlCheck } from './metadata/control.js';
import { lintTree } from './run.js';

export const PARSE_ERROR_TAGS: ReadonlySet<string> = new Set([
  'no-debian-control',
  'syntax-error-in-debian-control',
  'no-debian-changelog',
  'syntax-error-in-debian-changelog',
  'malformed-debian-changelog-version',
  'empty-debian-copyright',
  'syntax-error-in-dep5-copyright',
  'copyright-file-not-text',
  'missing-field-in-dep5-copyright',
  'ambiguous-paragraph-in-dep5-copyright',
  'unknown-paragraph-in-dep5-copyright',
  'invalid-escape-sequence-in-dep5-copyright',
  'empty-short-license-in-dep5-copyright',
  'bad-license-expression-in-dep5-copyright',
]);

const PARSE_CHECKS: readonly Check[] = [controlCheck, changelogCheck, dep5FormatCheck, dep5StructureCheck, dep5LicensesCheck];

/** The parse-error findings of the tree at `dir` (a directory holding debian/), in file order. */
export async function parseErrors(dir: string): Promise<Finding[]> {
  const r = await lintTree(dir, { checks: PARSE_CHECKS, detectLicenses: false, gate: 'error' });
  return r.findings.filter((f) => PARSE_ERROR_TAGS.has(f.tag));
}
