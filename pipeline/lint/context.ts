/**
 * What every check sees: one unpacked source tree (orig contents plus debian/), read lazily and
 * at most once. Parsed files (debian/copyright, debian/control...) are memoised here so several
 * checks share one parse.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StageConfig } from '../config/schema.js';
import type { ScannedHeaders } from './scan.js';

export interface LintOptions {
  /** The stage the upload is for: its gate decides what blocks, its series what the changelog must say. */
  stage?: StageConfig;
  /** Cache directory (license detection cache lives in <cacheDir>/license-cache). */
  cacheDir?: string;
  /** Detect licenses in file headers and compare them with debian/copyright (default true). */
  detectLicenses?: boolean;
  /** Ask licensecheck for a second opinion on mismatches. */
  licensecheck?: boolean;
  /** packages/<name>/package.yaml, when linting a package of the workspace. */
  packageYaml?: string;
  /** Vendor of the target (debian or ubuntu): changelog distributions and Maintainer rules differ. */
  vendor?: 'debian' | 'ubuntu';
  /** Series the profile declares (pipeline.yaml `series:`): known distributions even when distro-info lags. */
  declaredSeries?: readonly string[];
  /** The orig tarball is a uscan repack (Files-Excluded applied); default: guessed from the version (+dfsg, +ds, +repack). */
  repackedOrig?: boolean;
  /** The current Debian Policy version to compare Standards-Version against. */
  policyVersion?: string;
  /**
   * A scanned .dsc (lint/scan.ts): the root holds debian/ only; the source's files and their
   * headers are these, not a walk of the root.
   */
  scanned?: { files: string[]; headers: ScannedHeaders };
}

/** Directories that are never part of a source package (VCS metadata, quilt's state). */
const SKIP_DIRS = new Set(['.git', '.svn', '.bzr', '.hg', 'CVS', '.pc']);

export class LintContext {
  readonly root: string;
  readonly options: LintOptions;
  private fileList?: string[];
  private readonly texts = new Map<string, string | undefined>();
  private readonly memo = new Map<string, unknown>();

  constructor(root: string, options: LintOptions = {}) {
    this.root = root;
    this.options = options;
  }

  /** Every regular file of the tree, relative to the root, sorted (symlinks and VCS dirs excluded). */
  files(): string[] {
    if (!this.fileList && this.options.scanned) this.fileList = this.options.scanned.files;
    if (!this.fileList) {
      const out: string[] = [];
      walk(this.root, '', out);
      out.sort();
      this.fileList = out;
    }
    return this.fileList;
  }

  exists(rel: string): boolean {
    try {
      statSync(join(this.root, rel));
      return true;
    } catch {
      return false;
    }
  }

  /** The file's text (UTF-8), or undefined when it does not exist or is not a file. */
  text(rel: string): string | undefined {
    if (!this.texts.has(rel)) {
      let value: string | undefined;
      try {
        value = readFileSync(join(this.root, rel), 'utf8');
      } catch {
        value = undefined;
      }
      this.texts.set(rel, value);
    }
    return this.texts.get(rel);
  }

  /** The raw bytes (for encoding checks). */
  bytes(rel: string): Buffer | undefined {
    try {
      return readFileSync(join(this.root, rel));
    } catch {
      return undefined;
    }
  }

  /** Computes a shared value once per tree (e.g. the parsed debian/copyright). */
  shared<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }
}

function walk(abs: string, rel: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const childRel = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(join(abs, e.name), childRel, out);
    } else if (e.isFile()) {
      out.push(childRel);
    }
  }
}
