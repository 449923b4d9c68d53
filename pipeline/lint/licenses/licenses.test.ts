import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from '../../../test/helpers/lint-tree.js';
import { lintTree } from '../run.js';
import { detectHeaders } from './check.js';
import { isKnownLicenseKey, keyAgrees, licensesAgree } from './compare.js';
import { detectLicense } from './detect.js';
import { scratchDir } from '../../../test/helpers/scratch.js';

const keys = (text: string) => detectLicense(text)?.keys;

const ASF = `/*
 * Licensed to the Apache Software Foundation (ASF) under one
 * or more contributor license agreements.  See the NOTICE file
 * distributed with this work for additional information
 * regarding copyright ownership.  The ASF licenses this file
 * to you under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.
 */
package x;`;
const GPL2PLUS = `# Copyright (C) 2001 Someone
#
# This program is free software; you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation; either version 2 of the License, or
# (at your option) any later version.`;
const LGPL21 = `/* This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; version 2.1
 * of the License. */`;
const BSD3 = `/*
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 * 1. ... 2. ...
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software.
 */`;
const BSD2 = BSD3.replace(/ \* 3\. Neither[^\n]*\n[^\n]*\n/, '');
const MIT = `// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software")`;
const ISC = ` * Permission to use, copy, modify, and/or distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above`;

describe('license header detector', () => {
  it('recognises the common licenses from their notices', () => {
    expect(keys(ASF)).toEqual(['apache-2']);
    expect(keys('# Licensed under the Apache License, Version 2.0 (the "License");')).toEqual(['apache-2']);
    expect(keys(GPL2PLUS)).toEqual(['gpl-2+']);
    expect(keys(GPL2PLUS.replace(/, or\n# \(at your option\) any later version/, '.'))).toEqual(['gpl-2']);
    expect(keys(GPL2PLUS.replace('version 2', 'version 3'))).toEqual(['gpl-3+']);
    expect(keys(LGPL21)).toEqual(['lgpl-2.1']);
    expect(keys(BSD3)).toEqual(['bsd-3-clause']);
    expect(keys(BSD2)).toEqual(['bsd-2-clause']);
    expect(keys(MIT)).toEqual(['expat']);
    expect(keys(ISC)).toEqual(['isc']);
    // curl's licence: ISC's grant with X11's advertising clause (libevent's sample/hostcheck.c)
    expect(keys(`${ISC.replace('and/or', 'and')}\n * Except as contained in this notice, the name of a copyright holder shall not\n * be used in advertising or otherwise`)).toEqual(['curl']);
    expect(keys('/* This Source Code Form is subject to the terms of the Mozilla Public\n * License, v. 2.0. */')).toEqual(['mpl-2']);
    expect(keys('<!-- Eclipse Public License - v 2.0 -->')).toEqual(['epl-2']);
    expect(keys(' * Common Development and Distribution License Version 1.1')).toEqual(['cddl-1.1']);
    expect(keys('# This file is placed in the public domain.')).toEqual(['public-domain']);
    expect(keys('; GNU Affero General Public License version 3')).toEqual(['agpl-3']);
  });
  it('an SPDX identifier wins, expressions included', () => {
    expect(keys(`// SPDX-License-Identifier: GPL-2.0-or-later\n${ASF}`)).toEqual(['gpl-2+']);
    expect(keys('/* SPDX-License-Identifier: MIT OR Apache-2.0 */')).toEqual(['expat', 'apache-2']);
  });
  it('reports every notice of a multi-license header', () => {
    expect(keys(`${ASF}\n${ISC}`)).toEqual(['apache-2', 'isc']);
  });
  it('takes a license named without its text from a comment near the top, never from prose', () => {
    expect(keys('//     Underscore may be freely distributed under the MIT license.\n(function() {')).toEqual(['expat']);
    expect(keys('# Copyright 2020 X\n# SPDX-ish: this library is LGPLv2.1\n')).toEqual(['lgpl-2.1']);
    // jq's download page, curl's HISTORY.md, lintian's data list of licence names, a package description
    expect(detectLicense('download:\n  body: |\n      jq is licensed under the MIT license. For all of the gory\n')).toBeUndefined();
    expect(detectLicense('October 1: with the release of curl 7.10 it is released under the MIT license\nonly.\n')).toBeUndefined();
    expect(detectLicense('GPL-2\nLGPL-2\nLGPL-2.1\n')).toBeUndefined();
    expect(detectLicense('Description: checks against common license false positive for lgpl-2\n')).toBeUndefined();
    // a comment far below the header is no header
    expect(detectLicense(`${'int x;\n'.repeat(60)}// taken from y, which is in the public domain\n`)).toBeUndefined();
  });
  it('says nothing for files without a notice or with a license exception', () => {
    expect(detectLicense('int main(void) { return 0; }')).toBeUndefined();
    expect(detectLicense('/* Copyright 2020 Someone. All rights reserved. */')).toBeUndefined();
    expect(keys(`${GPL2PLUS}\n# As a special exception, you may create a larger work that contains\n# part or all of the Bison parser skeleton`)).toBeUndefined();
  });
});

describe('declared vs detected', () => {
  it('is lenient where comparisons are noisy, strict where it matters', () => {
    expect(keyAgrees('expat', 'expat')).toBe(true);
    expect(keyAgrees('mit', 'expat')).toBe(true);
    expect(keyAgrees('gpl-2', 'gpl-2+')).toBe(true); // header grants more
    expect(keyAgrees('gpl-3+', 'gpl-2+')).toBe(true); // a later version is a valid choice
    expect(keyAgrees('gpl-2+', 'gpl-2')).toBe(false); // declaration claims "or later" the file does not grant
    expect(keyAgrees('gpl-3', 'gpl-2')).toBe(false);
    expect(keyAgrees('bsd-3-clause', 'bsd-2-clause')).toBe(true);
    expect(keyAgrees('bsd-2-clause', 'bsd-3-clause')).toBe(false);
    expect(keyAgrees('apache-2', 'expat')).toBe(false);
    expect(licensesAgree(['bsd-2-clause', 'isc', 'apache-2'], ['apache-2', 'isc'])).toBe(true);
    expect(keyAgrees('expat', 'isc')).toBe(false);
  });
  it('compares only names DEP-5 or SPDX define', () => {
    for (const k of ['gpl-2+', 'apache-2', 'bsd-3-clause', 'expat', 'cc-by-sa-4', 'public-domain', 'lgpl-2.1', 'mpl-2']) expect(isKnownLicenseKey(k)).toBe(true);
    for (const k of ['pd', 'bsd-3-clause-cambridge', 'expat_or_publicdomain_or_dualexpatpd', 'permissive-fsf', 'bsd-124-clause-ucb']) expect(isKnownLicenseKey(k)).toBe(false);
  });
});

describe('license-header-mismatch', () => {
  const copyright = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: 2024 X
License: Apache-2.0
 text

Files: vendor/*
Copyright: 2010 Y
License: MIT
`;
  const tree = () =>
    makeTree({
      'debian/copyright': copyright,
      'src/A.java': ASF,
      'src/gpl.c': GPL2PLUS,
      'vendor/lib.js': MIT,
      'vendor/hashtable.c': BSD3,
      'vendor/hashtable.LICENSE.txt': LGPL21,
      'LICENSE': GPL2PLUS,
      'NOTICE.txt': LGPL21,
      'debian/patches/x.patch': GPL2PLUS,
      'bin.dat': Buffer.from([0, 1, 2, 3, ...Buffer.from(GPL2PLUS)]),
    });

  it('flags files whose header disagrees, ignoring license texts, patches, binaries', async () => {
    const cacheDir = scratchDir('lic-cache-');
    const r = await lintTree(tree(), { cacheDir });
    const got = r.findings.filter((f) => f.tag === 'license-header-mismatch').map((f) => [f.file, f.detail]);
    expect(got).toEqual([
      ['src/gpl.c', 'header says gpl-2+, debian/copyright:5 says apache-2'],
      ['vendor/hashtable.c', 'header says bsd-3-clause, debian/copyright:10 says expat'],
    ]);
  });

  it('does not compare a header with a license name of the package\'s own', async () => {
    const own = copyright.replace('License: MIT\n', 'License: Expat_or_PublicDomain\n')
      + '\nFiles: src/gpl.c\nCopyright: 2001 Someone\nLicense: GPL-2+ and BSD-124-clause-UCB\n text\n\nLicense: Expat_or_PublicDomain\n text\n';
    const r = await lintTree(makeTree({ 'debian/copyright': own, 'src/gpl.c': BSD3, 'vendor/lib.js': ISC, 'vendor/x.c': GPL2PLUS }), { cacheDir: scratchDir('lic-cache-') });
    expect(r.findings.filter((f) => f.tag === 'license-header-mismatch')).toEqual([]);
  });

  it('caches detections by content hash on disk', async () => {
    const cacheDir = scratchDir('lic-cache-');
    const root = tree();
    const files = ['src/A.java', 'src/gpl.c', 'vendor/lib.js'];
    const first = await detectHeaders(root, files, cacheDir);
    expect([first.scanned, first.cached]).toEqual([3, 0]);
    const second = await detectHeaders(root, files, cacheDir);
    expect([second.scanned, second.cached]).toEqual([0, 3]);
    expect(second.found).toEqual(first.found);
    // same content elsewhere: cached by hash, not by path
    const other = makeTree({ 'x/copy.java': ASF });
    const third = await detectHeaders(other, ['x/copy.java'], cacheDir);
    expect([third.scanned, third.cached]).toEqual([0, 1]);
    // one stat index per tree: a lint loads its own tree's entries only
    expect(readdirSync(join(cacheDir, 'license-cache', 'index'))).toHaveLength(2);
  });

  it('licensecheck as a second opinion annotates the mismatches it confirms', async () => {
    const r = await lintTree(tree(), { licensecheck: true });
    const got = r.findings.filter((f) => f.tag === 'license-header-mismatch');
    // licensecheck also reads GPL-2+ and BSD-3-clause there: both stay, annotated
    expect(got.map((f) => f.file)).toEqual(['src/gpl.c', 'vendor/hashtable.c']);
    expect(got[0].detail).toMatch(/\(licensecheck: GPL-2\+?/);
  });

  it('can be switched off', async () => {
    const r = await lintTree(tree(), { detectLicenses: false });
    expect(r.findings.filter((f) => f.tag === 'license-header-mismatch')).toEqual([]);
  });
});
