/**
 * Schemas for pipeline.yaml (the progression) and packages/<name>/package.yaml (one package).
 * zod gives the types; pipeline/config/yaml.ts maps a failing path back to the file's line.
 */
import { QA_CHECK_NAMES, QA_SEVERITIES } from '../qa/checks.js';
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, 'must be a lower-case name ([a-z0-9.+-])');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const severity = z.enum(['error', 'warning', 'info', 'pedantic']);

/*
 * Values that reach a tool's argv (mmdebstrap, sbuild, apt-get, dput, reprepro) are checked against
 * strict patterns when the file is loaded, so a shell metacharacter, a space or an option-looking
 * value (`--foo`, `-oAPT::...`) never gets that far: the error names file:line:key.
 */
/** An http(s)/ftp URL or a file:/// path: host[:port] and a path of URL-safe characters, nothing else. */
export const URL_PATTERN = /^(?:(?:https?|ftp):\/\/(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?|file:\/\/)(?:\/[A-Za-z0-9._~%+@=,:-]*)*\/?$/;
const url = (what = 'a URL') => z.string().max(2000).regex(URL_PATTERN, `must be ${what} (http, https, ftp or file:///; no spaces, quotes or shell characters)`);
/** Series, suites and pockets: a release codename with an optional -pocket (`bookworm-backports`). */
const suiteName = z.string().regex(/^[a-z][a-z0-9.+-]*$/, 'must be a suite or series name ([a-z][a-z0-9.+-]*)');
const component = z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, 'must be an archive component ([a-z0-9._/-])');
const architecture = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a Debian architecture name ([a-z0-9-])');
const filePath = z.string().regex(/^[A-Za-z0-9._/~+-][A-Za-z0-9._/~+@-]*$/, 'must be a file path of [A-Za-z0-9._/~+@-] (no spaces or shell characters)');
/** A package for the chroot: a name, optionally `:arch`. */
const packageRef = z.string().regex(/^[a-z0-9][a-z0-9.+-]*(?::[a-z0-9-]+)?$/, 'must be a package name, optionally :arch');
/** `Name::Sub=value` for apt's -o. */
const aptOption = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:_-]*=[A-Za-z0-9._/:+~=,-]*$/, 'must be an apt option Name::Sub=value');
/** An apt source line for the chroot: `deb [opts] URL suite component...`. */
const aptSourceLine = z.string().regex(/^deb(?:-src)? (?:\[[A-Za-z0-9=._/:,+ -]+\] )?\S+(?: [A-Za-z0-9._/+-]+)+$/, 'must be an apt source line: deb [options] URL suite component...')
  .refine((v) => URL_PATTERN.test(v.replace(/^deb(?:-src)? (?:\[[^\]]*\] )?/, '').split(' ')[0]), 'its URL must be http, https, ftp or file:/// with no shell characters');
/** A dput target: `ppa:OWNER/NAME` or a host name of dput.cf. */
const dputHost = z.string().regex(/^(?:ppa:[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*|[A-Za-z0-9][A-Za-z0-9._-]*)$/, 'must be ppa:OWNER/NAME or a dput.cf host name');
const hostPort = z.string().regex(/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, 'must be host[:port]');
const login = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a login name ([A-Za-z0-9._-])');
const debianVersion = z.string().regex(/^(?:\d+:)?[0-9][A-Za-z0-9.+~:-]*$/, 'must be a Debian version');

/**
 * An update pocket of a series: its own apt suite, on the series' mirror unless it names another
 * (Debian's `bookworm-security` lives on http://deb.debian.org/debian-security).
 */
export const PocketSchema = z.strictObject({
  /** The apt suite, e.g. `bookworm-updates`, `bookworm-security`, `noble-updates`. */
  suite: suiteName,
  /** Defaults to the series' mirror. */
  mirror: url('a mirror URL').optional(),
  /** Defaults to the series' keyring. */
  keyring: filePath.optional(),
  /** Defaults to the series' components. */
  components: z.array(component).optional(),
});

/** Where a series' packages come from: mirror, keyring, components. */
export const SeriesSchema = z.strictObject({
  mirror: url('a mirror URL'),
  keyring: filePath.optional(),
  components: z.array(component).default(['main']),
  /** The release number (e.g. '12', '24.04'); read from distro-info when omitted. */
  version: z.string().optional(),
  /** Extra apt options for this mirror (e.g. Acquire::Check-Valid-Until=false for an expired sid). */
  aptOptions: z.array(aptOption).default([]),
  /**
   * The series' update pockets (`-updates`, `-security`): what users of the release get besides
   * the release pocket. A backport must sort above every version in all of them.
   */
  pockets: z.array(PocketSchema).default([]),
  /**
   * Series data for a series the installed distro-info-data does not know yet (or corrects): the
   * same columns as distro-info's CSV. Merged with distro-info's rows (these win field by field),
   * so `devel` resolves to it and the schedule, lint and report know it (schedule/seriesTable.ts).
   */
  name: z.string().optional(),
  created: day.optional(),
  release: day.optional(),
  eol: day.optional(),
  lts: z.boolean().optional(),
});

export const ArchiveSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reprepro'),
    /** Directory of the local apt archive, relative to the repository root. */
    path: z.string().default('.pipeline/archive'),
    origin: z.string().default('pipeline'),
    label: z.string().default('pipeline local archive'),
    architectures: z.array(architecture).default(['amd64']),
  }),
  z.strictObject({
    kind: z.literal('dput'),
    /** A dput target: `ppa:OWNER/NAME`, or a host name from dput.cf, or `local` for tests. */
    host: dputHost,
    /** Optional dput config file to use instead of the system/user one. */
    config: filePath.optional(),
    /** The archive's apt URL, so uploads can be confirmed (Launchpad: ppa.launchpadcontent.net). */
    index: url('an archive URL').optional(),
    /** Upload host[:port] for a `ppa:` target (default ppa.launchpad.net; e.g. a staging or local test host). */
    fqdn: hostPort.optional(),
    /** dput method for a `ppa:` target: Launchpad takes ftp (default) and sftp. */
    method: z.enum(['ftp', 'sftp']).optional(),
    /** Login for a `ppa:` target (anonymous for ftp; your Launchpad id for sftp). */
    login: login.optional(),
    /**
     * The PPA's public key (a keyring file, armored or binary): with `index`, a `ppa:` target's
     * apt line is an extra repository of the stage's builds, signed-by this key.
     */
    keyring: filePath.optional(),
    /** Launchpad's REST API root for a `ppa:` target (default https://api.launchpad.net/1.0). */
    api: url('an API URL').optional(),
    /**
     * After the upload to a `ppa:` target, confirm waits for Launchpad to publish and build it
     * (`ppa wait`); timeoutMinutes: 0 confirms without waiting.
     */
    wait: z.strictObject({
      timeoutMinutes: z.number().min(0).default(120),
      intervalSeconds: z.number().positive().default(60),
    }).default({ timeoutMinutes: 120, intervalSeconds: 60 }),
  }),
]);

export const StageSchema = z.strictObject({
  name,
  kind: z.enum(['ppa', 'devel', 'backports']),
  target: z.strictObject({
    archive: name,
    /** The suite the upload lands in (reprepro codename), e.g. `ppa`, `trixie`, `bookworm-backports`. */
    suite: suiteName,
    /**
     * The series (release codename) the upload is for, e.g. `trixie`, `noble`; `devel` is the
     * development series on the workspace's date (distro-info, else the profile's series table).
     */
    series: suiteName,
    /** The pocket, for archives that have them (`backports`, `updates`...). */
    pocket: z.string().regex(/^[a-z]+$/, 'must be a pocket name ([a-z]+)').optional(),
    /**
     * The real series this target stands in for when that one is out of reach (the Debian
     * profile's trixie stands for the development release forky): the freeze gate, the report's
     * timeline and its notes then follow that series' schedule. `devel` names the development series.
     */
    standsFor: suiteName.optional(),
  }),
  builder: z.strictObject({
    /** Chroot suite; defaults to the target series. */
    suite: suiteName.optional(),
    architectures: z.array(architecture).default(['amd64']),
    extraPackages: z.array(packageRef).default([]),
    /** Extra apt repositories inside the chroot (e.g. the target's own suite, for backports). */
    extraRepositories: z.array(aptSourceLine).default([]),
    /**
     * Why this stage builds in another vendor's chroot (an Ubuntu stage in a Debian chroot where
     * Ubuntu's archive is out of reach). Required then, never silent: the build record and the
     * readiness report state it.
     */
    standIn: z.string().min(1).optional(),
    /**
     * Take the binary test-build verdict of a recorded build of the same tree in the same chroot
     * (another stage's, differing only in the changelog entry) instead of building again.
     */
    reuse: z.boolean().default(true),
  }).default({ architectures: ['amd64'], extraPackages: [], extraRepositories: [], reuse: true }),
  gates: z.strictObject({
    /** Lint findings of this severity or worse block the stage. */
    lint: severity.default('error'),
    /** Freeze gates from the release schedule apply to this stage. */
    schedule: z.boolean().default(false),
    /** The binary test-build must succeed. */
    binaryBuild: z.boolean().default(true),
  }).default({ lint: 'error', schedule: false, binaryBuild: true }),
  /**
   * QA checks on the stage's build before upload (pipeline/qa/checks.ts): `block`, `warn` or `off`
   * per check; a check not named keeps its default for the stage's kind.
   */
  qa: z.partialRecord(z.enum(QA_CHECK_NAMES), z.enum(QA_SEVERITIES)).default({}),
});

export const ConfigSchema = z.strictObject({
  /** Profile name, shown in reports. */
  profile: z.string(),
  vendor: z.enum(['debian', 'ubuntu']),
  /** The repository root, relative to this file (profiles/ubuntu.yaml says `..`). */
  root: z.string().default('.'),
  /** Directory holding one folder per package, relative to the repository root. */
  packages: z.string().default('packages'),
  /** Directory holding schedules/<series>.yaml. */
  schedules: z.string().default('schedules'),
  series: z.record(suiteName, SeriesSchema),
  archives: z.record(name, ArchiveSchema),
  stages: z.array(StageSchema).min(1),
  signing: z.strictObject({
    /** Key id/fingerprint, or `env:VAR` to read it from the environment. Never printed. */
    key: z.string().optional(),
  }).default({}),
  maintainer: z.strictObject({
    name: z.string(),
    /** Any `local@host` address: Debian changelogs accept local ones like pipeline@localhost. */
    email: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an e-mail address (local@host)'),
  }).optional(),
  chroots: z.strictObject({
    /** Refresh a cached chroot tarball older than this many days. */
    maxAgeDays: z.number().int().positive().default(7),
    /**
     * Build-dependency layers (build/layers.ts): base chroots with a resolved set of build
     * dependencies installed, at most this many MiB in all (least recently used go first); 0 = off.
     */
    layers: z.strictObject({
      maxSizeMiB: z.number().int().min(0).default(4096),
    }).default({ maxSizeMiB: 4096 }),
  }).default({ maxAgeDays: 7, layers: { maxSizeMiB: 4096 } }),
  retry: z.strictObject({
    attempts: z.number().int().min(1).default(4),
    /**
     * Crash-loop guard, as upstart's `respawn limit 10 5`: more than `limit` crashes or failures at
     * the same step without progress within `intervalSeconds` halt the run. The interval is long by
     * default: a restart takes most of a second here, so 10 in 5 s never happens.
     */
    limit: z.number().int().min(1).default(10),
    intervalSeconds: z.number().positive().default(3600),
    /** Backoff before the 2nd attempt (doubles each time, with jitter), and its cap. */
    baseDelayMs: z.number().int().min(0).default(1000),
    maxDelayMs: z.number().int().min(0).default(30_000),
  }).default({ attempts: 4, limit: 10, intervalSeconds: 3600, baseDelayMs: 1000, maxDelayMs: 30_000 }),
});

export const PackageSchema = z.strictObject({
  name,
  upstream: z.strictObject({
    name: z.string(),
    homepage: z.string().url(),
    version: z.string(),
    /** semver range of upstream versions this packaging supports (upstream versions only). */
    supports: z.string().optional(),
  }),
  /** Where the original source comes from. */
  source: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('apt'),
      /** Source package name and exact version, fetched with `apt-get source` from `series`. */
      package: name,
      version: debianVersion,
      series: suiteName,
      /** sha256 of the .dsc; the .dsc's own checksums then verify every tarball. */
      dscSha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    z.strictObject({
      kind: z.literal('url'),
      url: url(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      /** A tree to generate when the upstream cannot be reached (tests, offline). */
      fallback: z.literal('generated').optional(),
    }),
  ]),
  /** Other packages of the set that must reach a stage before this one may. */
  depends: z.array(name).default([]),
  build: z.strictObject({
    binary: z.boolean().default(true),
    archAll: z.boolean().default(true),
  }).default({ binary: true, archAll: true }),
  mir: z.strictObject({
    required: z.boolean().default(false),
    team: z.string().optional(),
    notes: z.string().optional(),
  }).default({ required: false }),
  /** Feature Freeze exception bug, e.g. `LP: #123456`. */
  ffe: z.string().optional(),
  /** Release-team approval after FinalFreeze, e.g. `LP: #123456`. */
  finalFreezeApproval: z.string().optional(),
  waivers: z.array(z.strictObject({
    gate: z.string(),
    stage: z.string().optional(),
    by: z.string(),
    reason: z.string(),
  })).default([]),
});

export type SeriesConfig = z.infer<typeof SeriesSchema>;
export type PocketConfig = z.infer<typeof PocketSchema>;
export type ArchiveConfig = z.infer<typeof ArchiveSchema>;
export type StageConfig = z.infer<typeof StageSchema>;
export type PipelineConfig = z.infer<typeof ConfigSchema>;
export type PackageDefinition = z.infer<typeof PackageSchema>;
