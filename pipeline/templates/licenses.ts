/**
 * License texts for new package definitions and generated upstream trees: the DEP-5 stand-alone
 * License paragraph body (common licenses point at /usr/share/common-licenses, Expat is short
 * enough to carry in full) and the per-file header a generated tree's sources carry.
 */
import { PipelineError } from '../errors.js';

export const LICENSES = ['Expat', 'Apache-2.0', 'GPL-2+', 'GPL-3+', 'LGPL-2.1+', 'LGPL-3+'] as const;
export type LicenseName = (typeof LICENSES)[number];

export function assertLicense(name: string): LicenseName {
  if ((LICENSES as readonly string[]).includes(name)) return name as LicenseName;
  throw new PipelineError(`unsupported --license ${JSON.stringify(name)} (one of: ${LICENSES.join(', ')})`);
}

const EXPAT = `Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`;

const gnu = (lesser: boolean, version: string) => {
  const name = `GNU ${lesser ? 'Lesser ' : ''}General Public License`;
  return `This program is free software: you can redistribute it and/or modify
it under the terms of the ${name} as published by
the Free Software Foundation, either version ${version} of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
${name} for more details.

You should have received a copy of the ${name}
along with this program.  If not, see <https://www.gnu.org/licenses/>.`;
};

const APACHE = `Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    https://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.`;

/** The license notice as plain text (also what a source file header says, commented). */
export function licenseNotice(license: LicenseName): string {
  switch (license) {
    case 'Expat': return EXPAT;
    case 'Apache-2.0': return APACHE;
    case 'GPL-2+': return gnu(false, '2');
    case 'GPL-3+': return gnu(false, '3');
    case 'LGPL-2.1+': return gnu(true, '2.1');
    case 'LGPL-3+': return gnu(true, '3');
  }
}

/** Licenses whose full text Debian ships in /usr/share/common-licenses: [title, file]. */
const COMMON: Partial<Record<LicenseName, [string, string]>> = {
  'Apache-2.0': ['Apache License, Version 2.0', 'Apache-2.0'],
  'GPL-2+': ['GNU General Public License version 2', 'GPL-2'],
  'GPL-3+': ['GNU General Public License version 3', 'GPL-3'],
  'LGPL-2.1+': ['GNU Lesser General Public License version 2.1', 'LGPL-2.1'],
  'LGPL-3+': ['GNU Lesser General Public License version 3', 'LGPL-3'],
};

/** Body of a DEP-5 stand-alone License paragraph: indented by one space, empty lines as ` .`. */
export function dep5LicenseBody(license: LicenseName): string {
  const common = COMMON[license];
  const text = common
    ? `${licenseNotice(license)}\n\nOn Debian systems, the complete text of the\n${common[0]} can be found in\n"/usr/share/common-licenses/${common[1]}".`
    : licenseNotice(license);
  return text.split('\n').map((l) => (l.trim() === '' ? ' .' : ` ${l}`)).join('\n');
}

/** A `#`-commented source file header: copyright line, then the notice. */
export function pythonHeader(license: LicenseName, copyright: string): string {
  return [`Copyright (C) ${copyright}`, '', ...licenseNotice(license).split('\n')]
    .map((l) => (l ? `# ${l}` : '#')).join('\n') + '\n';
}
