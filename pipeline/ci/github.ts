/**
 * `pipeline ci github`: the GitHub Actions workflows for a package set. The repository's own
 * .github/workflows/*.yml are exactly this output (a test keeps them from drifting), so projects
 * started with `pipeline new` get the same CI as pipeline itself.
 */
import { relative } from 'node:path';
import type { Workspace } from '../config/workspace.js';
import { packagesInOrder } from '../config/packages.js';

export interface WorkflowOptions {
  /** Packages of the build matrix, in dependency order. */
  packages: string[];
  /** Stages every package is built for in CI (the PPA stage and the LTS backport). */
  stages: string[];
  /** The profile whose `ppa` stage targets the Launchpad PPA. */
  uploadConfig: string;
}

export interface WorkflowFile {
  path: string;
  content: string;
}

export function workflowOptions(ws: Workspace, uploadConfig = 'profiles/ubuntu.yaml'): WorkflowOptions {
  const stages = ws.config.stages.filter((s) => s.kind === 'ppa' || s.kind === 'backports').map((s) => s.name);
  return {
    packages: packagesInOrder(ws).map((p) => p.definition.name),
    stages,
    uploadConfig: relative(ws.root, uploadConfig.startsWith('/') ? uploadConfig : `${ws.root}/${uploadConfig}`),
  };
}

// Steps every job shares. Kept here once so the jobs cannot drift apart.
const CHECKOUT_AND_NODE = `      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
`;

// Ubuntu 24.04 runners restrict unprivileged user namespaces, which sbuild's unshare mode needs.
const ALLOW_USERNS = `      - name: Allow unprivileged user namespaces (sbuild unshare mode)
        run: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0
`;

/** Chroot tarballs cached between runs, keyed by the profile (a new run_id saves a fresh copy). */
const chrootCache = (scope: string) => `      - name: Cache chroot tarballs
        uses: actions/cache@v4
        with:
          path: .cache/pipeline/chroots
          key: chroots-${scope}\${{ hashFiles('pipeline.yaml') }}-\${{ github.run_id }}
          restore-keys: chroots-${scope}\${{ hashFiles('pipeline.yaml') }}-
`;

export function githubWorkflows(o: WorkflowOptions): WorkflowFile[] {
  return [
    { path: '.github/workflows/ci.yml', content: ciWorkflow(o) },
    { path: '.github/workflows/ppa-upload.yml', content: ppaUploadWorkflow(o) },
  ];
}

function ciWorkflow(o: WorkflowOptions): string {
  return `# Every push and pull request: the tests, then lint and a PPA-stage build of every package in a
# clean sbuild container, then the readiness report as the job summary.
# Each step is a short zx script in scripts/ci/ calling pipeline's library API, so a maintainer
# runs exactly what CI runs: \`node scripts/ci/lint.mjs zookeeper\`.
name: ci

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read

concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: true

env:
  PIPELINE_CACHE_DIR: \${{ github.workspace }}/.cache/pipeline

jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    steps:
${CHECKOUT_AND_NODE}${ALLOW_USERNS}${chrootCache('')}      - name: Setup (the README's first command, without the main job)
        run: bash scripts/setup.sh
      - name: Tests
        run: npm test

  packages:
    runs-on: ubuntu-latest
    timeout-minutes: 90
    strategy:
      fail-fast: false
      matrix:
        package: [${o.packages.join(', ')}]
        stage: [${o.stages.join(', ')}]
    steps:
${CHECKOUT_AND_NODE}${ALLOW_USERNS}${chrootCache('\${{ matrix.stage }}-')}      - run: bash scripts/setup.sh
      - name: Lint
        run: node scripts/ci/lint.mjs --stage "\${{ matrix.stage }}" "\${{ matrix.package }}"
      - name: Build in the sbuild container
        run: node scripts/ci/build.mjs --stage "\${{ matrix.stage }}" --out artifacts "\${{ matrix.package }}"
      - name: Keep .changes, .build logs and records
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: build-\${{ matrix.package }}-\${{ matrix.stage }}
          path: |
            artifacts/
            .pipeline/state/records/
          if-no-files-found: warn
          include-hidden-files: true

  report:
    needs: packages
    if: always()
    runs-on: ubuntu-latest
    steps:
${CHECKOUT_AND_NODE}      - run: npm ci && npm run build
      - name: Collect build records
        uses: actions/download-artifact@v4
        with:
          pattern: build-*
          path: collected
          merge-multiple: true
      - name: Readiness report (job summary and artifact)
        run: node scripts/ci/report.mjs --records collected/.pipeline/state --out report --summary "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: readiness-report
          path: report/
`;
}

function ppaUploadWorkflow(o: WorkflowOptions): string {
  return `# A tag \`PKG/VERSION\` (or a manual dispatch naming a package) builds the signed source upload
# in a clean container and sends it to the Launchpad PPA named in ${o.uploadConfig}.
# Launchpad builds the binaries: nothing here waits for it.
#
# Secrets: PPA_SIGNING_KEY (armored secret key) and PPA_SIGNING_KEY_ID, held by the \`ppa\`
# environment. Workflows triggered from forks' pull requests never receive secrets, and this
# workflow has no pull_request trigger at all.
name: ppa-upload

on:
  push:
    tags: ['*/*']
  workflow_dispatch:
    inputs:
      package:
        description: Package to upload (a folder of packages/)
        required: true
        type: string

permissions:
  contents: read

concurrency:
  group: ppa-upload-\${{ github.ref }}
  cancel-in-progress: false

jobs:
  upload:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    timeout-minutes: 90
    environment: ppa
    env:
      PIPELINE_CONFIG: ${o.uploadConfig}
      PIPELINE_CACHE_DIR: \${{ github.workspace }}/.cache/pipeline
    steps:
${CHECKOUT_AND_NODE}${ALLOW_USERNS}      - run: bash scripts/setup.sh
      - name: Import the signing key
        env:
          PPA_SIGNING_KEY: \${{ secrets.PPA_SIGNING_KEY }}
        run: node scripts/ci/import-key.mjs
      - name: Promote to the PPA
        env:
          PIPELINE_SIGNING_KEY: \${{ secrets.PPA_SIGNING_KEY_ID }}
          INPUT_PACKAGE: \${{ inputs.package }}
          REF_NAME: \${{ github.ref_name }}
          REF_TYPE: \${{ github.ref_type }}
        run: node scripts/ci/ppa-upload.mjs --out artifacts
      - name: Readiness report
        if: always()
        run: node scripts/ci/report.mjs --out report --summary "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: ppa-upload
          path: |
            artifacts/
            report/
`;
}
