/**
 * The implemented QA checks, in the order a stage runs them (cheap and decisive first: a package
 * that cannot be installed need not be upgraded). Each module exports one QaCheck built from its
 * declaration in checks.ts.
 */
import { autopkgtestCheck } from './autopkgtest.js';
import type { QaCheck } from './check.js';
import type { QaCheckName } from './checks.js';
import { installability } from './installability.js';
import { releaseUpgradeCheck, upgradePath } from './upgradePath.js';
import { reverseDependenciesCheck } from './reverseDependencies.js';
import { debdiffCheck } from './debdiff.js';
import { reproducibleCheck } from './reproducible.js';

export const QA_IMPLEMENTATIONS: QaCheck[] = [installability, upgradePath, releaseUpgradeCheck, autopkgtestCheck, reverseDependenciesCheck, debdiffCheck, reproducibleCheck];

export function qaImplementation(name: QaCheckName): QaCheck | undefined {
  return QA_IMPLEMENTATIONS.find((c) => c.name === name);
}
