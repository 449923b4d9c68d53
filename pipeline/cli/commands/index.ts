import type { Command } from 'commander';
import * as backport from './backport.js';
import * as build from './build.js';
import * as changelog from './changelog.js';
import * as chroot from './chroot.js';
import * as ci from './ci.js';
import * as doctor from './doctor.js';
import * as fetch from './fetch.js';
import * as lint from './lint.js';
import * as newPackage from './new.js';
import * as packages from './packages.js';
import * as promote from './promote.js';
import * as qa from './qa.js';
import * as report from './report.js';
import * as resume from './resume.js';
import * as runs from './runs.js';
import * as schedule from './schedule.js';
import * as show from './show.js';
import * as status from './status.js';
import * as version from './version.js';

/** Subcommands in the order `pipeline --help` lists them (the order of the work). */
export const commands: ((program: Command) => void)[] = [
  packages, show, fetch, newPackage, doctor, version,
  chroot, build, lint, qa, promote, backport, status, changelog, resume, runs,
  schedule, report, ci,
].map((m) => m.register);
