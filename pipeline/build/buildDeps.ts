/**
 * The build dependencies of a .dsc as sbuild's apt resolver asks apt for them: Build-Depends plus
 * sbuild's core dependencies (build-essential, fakeroot), Build-Depends-Arch for an arch:any
 * build, Build-Depends-Indep for an arch:all one; architecture and build-profile restrictions
 * reduced and `:native` dropped by dpkg's own Dpkg::Deps (as sbuild does, for a native build
 * with no profiles), and every alternative but the first removed (sbuild's default for the apt
 * resolver). The result is what the layer cache resolves with apt, so a layer holds what sbuild
 * would install.
 */
import { execa } from 'execa';
import { foldedValue, parseDeb822File } from '../debian/deb822.js';
import { PipelineError } from '../errors.js';

export interface BuildDeps {
  /** Dependency string for apt (`apt-get satisfy`). */
  depends: string;
  /** Conflicts (empty when none). */
  conflicts: string;
}

/** Reduces like sbuild's ResolverBase (0.85); fields come in as arguments, never as program text. */
const REDUCE = String.raw`
use strict; use warnings; use Dpkg::Deps;
my ($arch, $any, $all, $bd, $bda, $bdi, $bc, $bca, $bci) = @ARGV;
my @pos = grep { length } ($bd, 'build-essential:native, fakeroot:native', $any ? $bda : '', $all ? $bdi : '');
my @neg = grep { length } ($bc, $any ? $bca : '', $all ? $bci : '');
my %o = (reduce_arch => 1, host_arch => $arch, build_arch => $arch, build_dep => 1, reduce_profiles => 1, build_profiles => []);
my $pos = deps_parse(join(', ', @pos), %o) // die "cannot parse the build dependencies\n";
my $neg = deps_parse(join(', ', @neg), %o, union => 1) // die "cannot parse the build conflicts\n";
for my $d ($pos, $neg) { deps_iterate($d, sub { my $s = shift; $s->{archqual} = undef if ($s->{archqual} // '') eq 'native'; 1 }) }
my $first = Dpkg::Deps::AND->new();
for my $item ($pos->get_deps()) {
  my $alt = Dpkg::Deps::OR->new();
  my @a = $item->get_deps();
  my $f = shift @a;
  $alt->add($f) if defined $f;
  for my $x (@a) { last if $x->{package} ne $f->{package}; $alt->add($x) }
  $first->add($alt);
}
print "$first\n$neg\n";
`;

const FIELDS = ['Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep', 'Build-Conflicts', 'Build-Conflicts-Arch', 'Build-Conflicts-Indep'];

export async function buildDepsOf(dsc: string, o: { architecture: string; archAny: boolean; archAll: boolean }): Promise<BuildDeps> {
  const para = parseDeb822File(dsc).paragraphs[0];
  if (!para) throw new PipelineError('no source paragraph', { file: dsc });
  const values = FIELDS.map((f) => {
    const field = para.get(f);
    return field ? foldedValue(field).replace(/\s+/g, ' ').trim() : '';
  });
  const r = await execa('perl', ['-e', REDUCE, '--', o.architecture, o.archAny ? '1' : '', o.archAll ? '1' : '', ...values], { reject: false });
  if (r.failed) throw new PipelineError(`${String(r.stderr).trim() || 'Dpkg::Deps failed'}`, { file: dsc });
  const [depends = '', conflicts = ''] = String(r.stdout).split('\n');
  return { depends: depends.trim(), conflicts: conflicts.trim() };
}
