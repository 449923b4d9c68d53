#!/usr/bin/env bash
# One-time setup of a fresh Debian/Ubuntu machine for pipeline: Debian tools, npm packages,
# the subuid/subgid range sbuild's unshare mode needs, and the local signing keys.
# Idempotent: safe to run again. Needs root (or sudo) for apt and /etc/subuid.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

DEBIAN_PACKAGES=(
  sbuild mmdebstrap uidmap arch-test        # clean builds in unshare-mode containers
  pbuilder debootstrap                      # pipeline backport --builder pbuilder (a cached base tarball)
  dpkg-dev devscripts debhelper quilt fakeroot build-essential  # dpkg-source, dch, debsign
  lintian licensecheck                      # lint
  reprepro dput gnupg apt-utils             # local archive, uploads, signing
  distro-info-data libdistro-info-perl      # release data (dch validates distributions with it)
  chromium                                  # headless browser: the HTML readiness report test
  debian-archive-keyring python3            # apt-get source signatures; generated trees' tests
  faketime                                  # dch entries dated at --at / PIPELINE_NOW
  diffoscope-minimal                        # QA reproducible check: what differs in a rebuilt .deb (debdiff: devscripts)
  xz-utils zstd ca-certificates git
  util-linux                                # setpriv --pdeathsig: tools die with a killed pipeline
  systemd                                   # systemd-analyze verify: the pipeline-resume units (doctor --install-service)
  dose-distcheck piuparts                   # QA: installability (dose-debcheck), upgrade path (piuparts)
  autopkgtest autodep8                      # QA: autopkgtest (virt-unshare) and the Testsuite: autopkgtest-pkg-* tests
)

echo "setup: installing Debian packages (${#DEBIAN_PACKAGES[@]})" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${DEBIAN_PACKAGES[@]}" >/dev/null

echo "setup: npm packages" >&2
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >/dev/null; else npm install --no-audit --no-fund >/dev/null; fi
npm run --silent build

echo "setup: subuid range, signing key (pipeline doctor --fix)" >&2
# /etc/subuid and /etc/subgid need root; the signing key and state directories belong to the user.
if [ -n "$SUDO" ]; then $SUDO node bin/pipeline.js doctor --fix-system >/dev/null || true; fi
doctor_log="$(mktemp)"
if ! node bin/pipeline.js doctor --fix >"$doctor_log" 2>&1; then
  cat "$doctor_log" >&2
  rm -f "$doctor_log"
  exit 1
fi
rm -f "$doctor_log"
