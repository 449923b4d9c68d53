/**
 * The source debdiff (`debdiff OLD.dsc NEW.dsc`: a `diff -Nru` of the two unpacked trees) read
 * back as the files added, removed and changed, and the debian/changelog lines it adds (the entries
 * since the old version: what the maintainer said about the change).
 */

export interface SourceChanges {
  added: string[];
  removed: string[];
  changed: string[];
  /** The lines the diff adds to debian/changelog (the new entries' text). */
  changelogAdded: string[];
}

/** diff -N writes an absent side as the epoch: `--- a/x\t1970-01-01 00:00:00.000000000 +0000`. */
const EPOCH = /\t1970-01-01 00:00:00(\.0+)? \+0000$/;

/** The path below the tree's top directory (`hello-1.0/debian/control` → `debian/control`). */
const inTree = (p: string) => p.replace(/^[^/]*\//, '');

export function parseSourceDebdiff(diff: string): SourceChanges {
  const out: SourceChanges = { added: [], removed: [], changed: [], changelogAdded: [] };
  const lines = diff.split('\n');
  let current: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = /^diff -\S+ (\S+) (\S+)$/.exec(line);
    if (header) {
      current = inTree(header[2]!);
      const minusLine = lines[i + 1] ?? '';
      const plusLine = lines[i + 2] ?? '';
      if (minusLine.startsWith('--- ') && plusLine.startsWith('+++ ')) {
        if (EPOCH.test(minusLine)) out.added.push(current);
        else if (EPOCH.test(plusLine)) out.removed.push(current);
        else out.changed.push(current);
        i += 2;
      } else {
        out.changed.push(current); // "Binary files a/x and b/x differ"
      }
      continue;
    }
    if (current === 'debian/changelog' && line.startsWith('+') && !line.startsWith('+++')) out.changelogAdded.push(line.slice(1));
  }
  return out;
}
