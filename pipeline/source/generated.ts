/**
 * Generated upstream trees: txzookeeper's and txaws's real tarballs (Launchpad, PyPI) cannot be
 * fetched from the project's machines, so their lint and build tests use a tiny, deterministic
 * Python project with the right name, version, license headers, setup.py and pyproject.toml,
 * and a unittest suite that pybuild runs at build time. It is NOT the upstream code: it stands in
 * for it wherever a real tree of the right shape is enough (DEP-5 coverage, dpkg-source, sbuild).
 *
 *   generateUpstreamTree('txzookeeper', dir, { version })   // writes the tree into dir
 *   generatedOrigTarball('txzookeeper', '0.9.8')           // bytes of <pkg>-<ver>/ as .tar.gz
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { assertLicense, licenseNotice, pythonHeader } from '../templates/licenses.js';

interface Flavour {
  module: string;
  summary: string;
  homepage: string;
  license: string;
  /** Header placed at the top of every .py file. */
  header: string;
  licenseFile: [name: string, text: string];
  requires: string[];
  /** Extra modules: path under the module dir → body. */
  modules: Record<string, string>;
  tests: Record<string, string>;
}

const lgpl3Header = (holder: string, years: string, project: string) => `#
#  Copyright (C) ${years} ${holder}
#
#  This file is part of ${project}.
#
#  ${project} is free software: you can redistribute it and/or modify
#  it under the terms of the GNU Lesser General Public License as published by
#  the Free Software Foundation, either version 3 of the License, or
#  (at your option) any later version.
#
#  ${project} is distributed in the hope that it will be useful,
#  but WITHOUT ANY WARRANTY; without even the implied warranty of
#  MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
#  GNU Lesser General Public License for more details.
#
#  You should have received a copy of the GNU Lesser General Public License
#  along with ${project}.  If not, see <https://www.gnu.org/licenses/>.
#
`;

const expatText = (holders: string[]) =>
  `${holders.map((h) => `Copyright (C) ${h}`).join('\n')}\n\n${licenseNotice('Expat')}\n`;

const flavours: Record<string, (version: string) => Flavour> = {
  txzookeeper: () => ({
    module: 'txzookeeper',
    summary: 'Twisted API for Apache ZooKeeper (generated test tree)',
    homepage: 'https://launchpad.net/txzookeeper',
    license: 'LGPL-3+',
    header: lgpl3Header('Canonical Ltd. All Rights Reserved', '2010-2012', 'txzookeeper'),
    licenseFile: ['COPYING', 'txzookeeper is licensed under the GNU Lesser General Public License,\nversion 3 or (at your option) any later version. On Debian systems the\nlicense text is in /usr/share/common-licenses/LGPL-3.\n'],
    requires: ['twisted'],
    modules: {
      'retry.py': `"""Retry policy for operations interrupted by a lost connection."""


def backoff(attempt, base=0.5, cap=30.0):
    """Seconds to wait before retry number \`attempt\` (1-based): doubling, capped."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    return min(cap, base * (2 ** (attempt - 1)))
`,
      'client.py': `"""A Deferred-returning ZooKeeper client (the binding is imported on connect)."""

from twisted.internet import defer


class NotConnectedException(Exception):
    """The client was used before it connected."""


class ZookeeperClient(object):
    def __init__(self, servers=None, session_timeout=None):
        self._servers = servers
        self._session_timeout = session_timeout
        self.connected = False

    @property
    def servers(self):
        return self._servers if self.connected else None

    def get(self, path):
        if not self.connected:
            return defer.fail(NotConnectedException("not connected"))
        raise NotImplementedError("generated test tree")

    def connect(self, servers=None, timeout=10):
        import zookeeper  # noqa: F401  python3-zookeeper, from the zookeeper source package
        raise NotImplementedError("generated test tree")
`,
    },
    tests: {
      'test_retry.py': `import unittest

from txzookeeper.retry import backoff


class BackoffTest(unittest.TestCase):
    def test_doubles(self):
        self.assertEqual([backoff(n) for n in (1, 2, 3)], [0.5, 1.0, 2.0])

    def test_capped(self):
        self.assertEqual(backoff(20), 30.0)

    def test_rejects_zero(self):
        self.assertRaises(ValueError, backoff, 0)
`,
      'test_client.py': `import unittest

from txzookeeper.client import NotConnectedException, ZookeeperClient


class ClientTest(unittest.TestCase):
    def test_not_connected(self):
        client = ZookeeperClient("127.0.0.1:2181")
        self.assertIsNone(client.servers)
        failures = []
        client.get("/a").addErrback(failures.append)
        self.assertTrue(failures[0].check(NotConnectedException))
`,
    },
  }),
  txaws: () => ({
    module: 'txaws',
    summary: 'Twisted-based asynchronous libraries for Amazon Web Services (generated test tree)',
    homepage: 'https://launchpad.net/txaws',
    license: 'Expat',
    header: '# Copyright (C) 2009 Canonical Ltd\n# Licenced under the txaws licence available at /LICENSE in the txaws source.\n',
    licenseFile: ['LICENSE', expatText([
      '2008 Tristan Seligmann <mithrandi@mithrandi.net>',
      '2009 Robert Collins <robertc@robertcollins.net>',
      '2009 Canonical Ltd',
      '2009 Duncan McGreggor <oubiwann@adytum.us>',
    ])],
    requires: ['twisted', 'python-dateutil'],
    modules: {
      'credentials.py': `"""AWS credentials, from arguments or the environment."""

import os

ENV_ACCESS_KEY = "AWS_ACCESS_KEY_ID"
ENV_SECRET_KEY = "AWS_SECRET_ACCESS_KEY"


class AWSCredentials(object):
    def __init__(self, access_key="", secret_key="", environ=None):
        environ = os.environ if environ is None else environ
        self.access_key = access_key or environ.get(ENV_ACCESS_KEY, "")
        self.secret_key = secret_key or environ.get(ENV_SECRET_KEY, "")
        if not self.access_key:
            raise ValueError("Could not find %s" % ENV_ACCESS_KEY)
        if not self.secret_key:
            raise ValueError("Could not find %s" % ENV_SECRET_KEY)
`,
      'util.py': `"""Request signing helpers."""

import base64
import hashlib
import hmac


def sign(secret, data):
    """Base64 HMAC-SHA256 of \`data\` under \`secret\` (AWS signature version 2)."""
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
`,
    },
    tests: {
      'test_credentials.py': `import unittest

from txaws.credentials import AWSCredentials


class CredentialsTest(unittest.TestCase):
    def test_from_environ(self):
        creds = AWSCredentials(environ={"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s"})
        self.assertEqual((creds.access_key, creds.secret_key), ("a", "s"))

    def test_missing(self):
        self.assertRaises(ValueError, AWSCredentials, environ={})
`,
      'test_util.py': `import unittest

from txaws.util import sign


class SignTest(unittest.TestCase):
    def test_known_value(self):
        self.assertEqual(sign("key", "data"), "UDH+PZicbRU3oBP6bnOdojRj/a7DtwE32Cjjas4iG9A=")
`,
    },
  }),
};

/** A flavour for a package the generator does not know: a minimal Python package under `license`. */
function genericFlavour(pkg: string, opts: GenerateOptions): Flavour {
  const module = pythonModuleName(pkg);
  const license = assertLicense(opts.license ?? 'Expat');
  const copyright = opts.copyright ?? '2026 The upstream authors';
  return {
    module,
    summary: `${pkg} (generated test tree)`,
    homepage: opts.homepage ?? `https://example.org/${pkg}`,
    license,
    header: pythonHeader(license, copyright),
    licenseFile: ['LICENSE', `Copyright (C) ${copyright}\n\n${licenseNotice(license)}\n`],
    requires: [],
    modules: {},
    tests: {
      'test_version.py': `import unittest\n\nimport ${module}\n\n\nclass VersionTest(unittest.TestCase):\n    def test_version(self):\n        self.assertTrue(${module}.version)\n`,
    },
  };
}

/** The Python module a package name stands for: `python-foo-bar` → `foo_bar`. */
export function pythonModuleName(pkg: string): string {
  return pkg.replace(/^python3?-/, '').replace(/[^a-z0-9_]/g, '_');
}

export interface GenerateOptions {
  version?: string;
  /** For packages without a built-in flavour: the license and copyright their sources carry. */
  license?: string;
  copyright?: string;
  homepage?: string;
}

/** Write the generated upstream tree of `pkg` into `dir` (created). Returns the files written. */
export function generateUpstreamTree(pkg: string, dir: string, opts: GenerateOptions = {}): string[] {
  const version = opts.version ?? '0.1.0';
  const f = flavours[pkg]?.(version) ?? genericFlavour(pkg, opts);
  const py = (body: string) => `${f.header}\n${body}`;
  const files: Record<string, string> = {
    'README': `${pkg} ${version}\n\n${f.summary}.\nHomepage: ${f.homepage}\n`,
    [f.licenseFile[0]]: f.licenseFile[1],
    'setup.py': py(`from setuptools import find_packages, setup

setup(
    name="${pkg}",
    version="${version}",
    description="${f.summary}",
    url="${f.homepage}",
    license="${f.license}",
    packages=find_packages(),
    install_requires=${JSON.stringify(f.requires)},
)
`),
    'pyproject.toml': `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n`,
    [`${f.module}/__init__.py`]: py(`"""${f.summary}."""\n\nversion = "${version}"\n`),
    [`${f.module}/tests/__init__.py`]: py(''),
  };
  for (const [name, body] of Object.entries(f.modules)) files[`${f.module}/${name}`] = py(body);
  for (const [name, body] of Object.entries(f.tests)) files[`${f.module}/tests/${name}`] = py(body);
  const written: string[] = [];
  for (const [rel, body] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    chmodSync(path, 0o644);
    written.push(rel);
  }
  return written;
}

/** SOURCE_DATE_EPOCH-like fixed timestamp for every file in the generated tarball. */
const GENERATED_MTIME = '2012-05-26 00:00:00Z';

/**
 * The generated tree as `<pkg>-<version>/` in a .tar.gz whose bytes depend only on pkg and
 * version (sorted names, fixed mtime and owner, gzip header without a timestamp).
 */
export async function generatedOrigTarball(pkg: string, version: string, opts: Omit<GenerateOptions, 'version'> = {}): Promise<Buffer> {
  const tmp = mkdtempSync(join(tmpdir(), 'pipeline-generated-'));
  try {
    const top = `${pkg}-${version}`;
    generateUpstreamTree(pkg, join(tmp, top), { ...opts, version });
    const tar = await execa('tar', [
      '--sort=name', `--mtime=${GENERATED_MTIME}`, '--owner=0', '--group=0', '--numeric-owner',
      '--mode=u+rwX,go+rX,go-w', '--format=gnu', '-C', tmp, '-cf', '-', top,
    ], { encoding: 'buffer', stripFinalNewline: false });
    return gzipSync(Buffer.from(tar.stdout), { level: 9 });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
