/** The DEP-5 toolkit as one namespace: `dep5.parse(text)`, `dep5.compileFilesPattern('src/*')`... */
export { parse, declaresDep5, type Dep5Document, type Dep5FilesParagraph, type Dep5LicenseParagraph, type Dep5Pattern } from './parse.js';
export { compileFilesPattern, type FilesPattern } from './glob.js';
export { parseLicenseExpression, formatLicenseExpression, licenseKeys, type LicenseExpression, type ParsedLicense } from './license-expression.js';
export { canonicalLicenseName } from './spdx.js';
export { classifyFormatUri, readCopyright } from './load.js';
export { computeCoverage } from './coverage.js';
