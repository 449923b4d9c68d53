/**
 * mmdebstrap: creates the buildd chroot tarballs sbuild's unshare mode unpacks for every build.
 * One job: turn a chroot description into mmdebstrap's argument array and run it.
 */
import { execa } from 'execa';
import { PipelineError } from '../errors.js';
import { execaSupervised } from './supervised.js';

export interface MmdebstrapOptions {
  suite: string;
  /** Output tarball; its extension (.tar, .tar.zst, ...) picks the compression. */
  target: string;
  mirror: string;
  architecture: string;
  components: string[];
  keyring?: string;
  /** Extra packages installed on top of the buildd variant. */
  include: string[];
  /** apt options written into the chroot (e.g. `Acquire::Check-Valid-Until "false"`). */
  aptOptions: string[];
  /** Called with every line mmdebstrap writes (its `I:` progress lines, errors). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /**
   * Start from this existing chroot (an uncompressed tarball without /dev entries) instead of
   * bootstrapping: `--variant=apt` with the tarball unpacked by a `tar-in` setup hook, so only
   * `include` is installed on top, by apt inside the chroot (a build-dependency layer).
   */
  fromTar?: string;
  /** A sources.list file in place while `include` is installed (extra repositories), removed before packing. */
  extraSourcesFile?: string;
  /** Where mmdebstrap makes the chroot directory (TMPDIR). */
  tmpDir?: string;
}

const EXTRA_SOURCES = '/etc/apt/sources.list.d/pipeline-layer.list';

/**
 * The argument array. `--variant=buildd` is what sbuild expects (essential + apt +
 * build-essential); `--mode=unshare` needs no root, only the caller's subuid/subgid range, and
 * stores ownership correctly in the tarball.
 */
export function mmdebstrapArgs(o: MmdebstrapOptions): string[] {
  const args = [
    o.fromTar ? '--variant=apt' : '--variant=buildd',
    '--mode=unshare',
    '--format=tar',
    `--architectures=${o.architecture}`,
    `--components=${o.components.join(',')}`,
  ];
  // dpkg without fsync after every file: a build chroot is thrown away after each build, so
  // crash-safety buys nothing and costs the build-dep installation (hundreds of packages for a
  // Java build) its fsyncs on a disk-backed tmpdir. mmdebstrap writes it to
  // /etc/dpkg/dpkg.cfg.d/99mmdebstrap, where it stays for every sbuild run in the tarball.
  args.push('--dpkgopt=force-unsafe-io');
  if (o.keyring) args.push(`--keyring=${o.keyring}`);
  if (o.include.length) args.push(`--include=${o.include.join(',')}`);
  for (const opt of o.aptOptions) args.push(`--aptopt=${aptOption(opt)}`);
  if (o.fromTar) args.push(`--setup-hook=tar-in ${o.fromTar} /`);
  if (o.extraSourcesFile) {
    args.push(`--setup-hook=upload ${o.extraSourcesFile} ${EXTRA_SOURCES}`);
    // The layer is shared by every build with the same package set: no build's repositories stay in it.
    args.push(`--customize-hook=rm -f "$1${EXTRA_SOURCES}"`);
  }
  args.push(o.suite, o.target, o.mirror);
  return args;
}

/** pipeline.yaml writes apt options as `Key=value` (apt-get -o style); apt.conf wants `Key "value"`. */
export function aptOption(opt: string): string {
  const m = /^([A-Za-z0-9:_-]+)=(.*)$/.exec(opt);
  return m ? `${m[1]} "${m[2]}"` : opt;
}

export async function mmdebstrap(o: MmdebstrapOptions): Promise<void> {
  const tail: string[] = [];
  const sub = execaSupervised('mmdebstrap', mmdebstrapArgs(o), {
    reject: false,
    all: true,
    stdin: 'ignore',
    cancelSignal: o.signal,
    env: { LC_ALL: 'C.UTF-8', ...(o.tmpDir ? { TMPDIR: o.tmpDir } : {}) },
  });
  for await (const line of sub.iterable({ from: 'all' })) {
    const text = String(line);
    tail.push(text);
    if (tail.length > 20) tail.shift();
    o.onLine?.(text);
  }
  const result = await sub;
  if (result.failed) {
    const reason = tail.filter((l) => /^E:|error|fail/i.test(l)).slice(-2).join('; ') || tail.slice(-2).join('; ');
    throw new PipelineError(`mmdebstrap could not create the ${o.suite} ${o.fromTar ? 'build-dependency layer' : 'chroot'}: ${reason || result.shortMessage}`, {
      hint: 'check the mirror and keyring in pipeline.yaml; run pipeline doctor --fix for tools and subuid ranges',
    });
  }
}

export async function mmdebstrapVersion(): Promise<string | undefined> {
  const r = await execa('mmdebstrap', ['--version'], { reject: false });
  return r.failed ? undefined : String(r.stdout).trim().replace(/^mmdebstrap\s+/, '');
}
