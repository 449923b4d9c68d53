#!/usr/bin/env node
// Import the PPA signing key from the PPA_SIGNING_KEY secret into pipeline's GnuPG home, without
// ever printing it. Runs in CI (ppa-upload.yml) and works the same on a maintainer's machine:
//   PPA_SIGNING_KEY="$(gpg --export-secret-keys --armor KEYID)" node scripts/ci/import-key.mjs
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { $ } from 'zx';

const key = process.env.PPA_SIGNING_KEY;
if (!key || !key.includes('PRIVATE KEY BLOCK')) {
  console.error('import-key: PPA_SIGNING_KEY is not set or is not an armored secret key');
  process.exit(2);
}
const home = resolve(process.env.PIPELINE_GNUPGHOME ?? '.pipeline/gnupg');
mkdirSync(home, { recursive: true, mode: 0o700 });
$.verbose = false;
$.quiet = true;
try {
  await $({ input: key })`gpg --homedir ${home} --batch --quiet --import`;
} catch (e) {
  // gpg's own message names the problem; the key material is never part of it.
  console.error(`import-key: gpg could not import the key (exit ${e.exitCode})`);
  process.exit(1);
}
const listing = await $`gpg --homedir ${home} --batch --with-colons --list-secret-keys`;
const fingerprints = listing.stdout.split('\n').filter((l) => l.startsWith('fpr:')).length;
console.log(`import-key: ${fingerprints} secret key fingerprint(s) in ${home}`);
