/**
 * Every check pipeline runs, in order. Adding a check = writing its module and listing it here.
 */
import type { Check, TagDefinition } from './check.js';
import { dep5CoverageCheck } from './dep5/checks/coverage.js';
import { dep5FormatCheck } from './dep5/checks/format.js';
import { dep5LicensesCheck } from './dep5/checks/licenses.js';
import { dep5StructureCheck } from './dep5/checks/structure.js';
import { licenseHeaderCheck } from './licenses/check.js';
import { changelogCheck } from './metadata/changelog.js';
import { controlCheck } from './metadata/control.js';
import { descriptionCheck } from './metadata/description.js';
import { nmuCheck } from './metadata/nmu.js';
import { packageYamlCheck } from './metadata/package-yaml.js';
import { sourceFormatCheck, watchCheck } from './metadata/source.js';
import { ubuntuMaintainerCheck } from './metadata/ubuntuMaintainer.js';
import { OVERRIDE_TAGS } from './overrides.js';

/** debian/copyright only (structure, licenses, coverage). */
export const DEP5_CHECKS: readonly Check[] = [dep5FormatCheck, dep5StructureCheck, dep5LicensesCheck, dep5CoverageCheck];

export const CHECKS: readonly Check[] = [
  dep5FormatCheck, dep5StructureCheck, dep5LicensesCheck, dep5CoverageCheck, licenseHeaderCheck,
  controlCheck, descriptionCheck, changelogCheck, nmuCheck, ubuntuMaintainerCheck, sourceFormatCheck, watchCheck, packageYamlCheck,
];

/** Tags of every check plus those the runner itself emits (overrides). */
export function allTags(checks: readonly Check[] = CHECKS): TagDefinition[] {
  return [...checks.flatMap((c) => c.tags), ...OVERRIDE_TAGS];
}

export function tagInfo(name: string, checks: readonly Check[] = CHECKS): TagDefinition | undefined {
  for (const c of checks) for (const t of c.tags) if (t.name === name) return t;
  return undefined;
}
