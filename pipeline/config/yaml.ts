/**
 * Read a YAML file and validate it against a zod schema, so that every error names the file,
 * the line and the key (`pipeline.yaml:12: stages.0.target.suite: Required`).
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { z } from 'zod';
import { PipelineError } from '../errors.js';

export interface LoadedYaml<T> {
  value: T;
  file: string;
  /** Line (1-based) of a key path in the file, for later cross-reference errors. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function parseYamlFile<S extends z.ZodType>(file: string, schema: S, displayName = file): LoadedYaml<z.infer<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PipelineError(`cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: displayName });
  }
  return parseYamlText(text, schema, displayName);
}

/**
 * Resource limits: a configuration file is small and shallow, so a file past them is an attack or
 * an accident (an alias bomb, a 100,000-deep `[[[...`), refused in one line before it costs memory
 * or a stack overflow.
 */
export const YAML_LIMITS = { bytes: 1 << 20, depth: 64, aliases: 100 };

export function parseYamlText<S extends z.ZodType>(text: string, schema: S, file: string): LoadedYaml<z.infer<S>> {
  checkYamlLimits(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line ?? lineCounter.linePos(yamlError.pos[0]).line;
    throw new PipelineError(`invalid YAML: ${yamlError.message.split('\n')[0]}`, { file, line });
  }
  let aliases = 0;
  let firstAlias: number | undefined;
  visit(doc, (_key, node, path) => {
    const at = (n: unknown) => lineCounter.linePos((n as Node).range?.[0] ?? 0).line;
    if (isAlias(node)) firstAlias ??= at(node);
    if (isAlias(node) && ++aliases > YAML_LIMITS.aliases)
      throw new PipelineError(`invalid YAML: more than ${YAML_LIMITS.aliases} aliases (*name); a configuration file needs few`, { file, line: at(node) });
    if ((isMap(node) || isSeq(node)) && path.length > YAML_LIMITS.depth * 2)
      throw new PipelineError(`invalid YAML: nested deeper than ${YAML_LIMITS.depth} levels`, { file, line: at(node) });
    return undefined;
  });
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    // Walk down as far as the path exists; report the deepest node found.
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: YAML_LIMITS.aliases }) ?? {};
  } catch (e) {
    // The yaml library's resource guard: aliases that expand past the limit (a "billion laughs").
    const why = /alias/i.test((e as Error).message) ? `aliases expand to more than ${YAML_LIMITS.aliases} nodes (an alias bomb?)` : (e as Error).message.split('\n')[0];
    throw new PipelineError(`invalid YAML: ${why}`, { file, line: firstAlias });
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const key = path.length ? path.join('.') : undefined;
    throw new PipelineError(issue.message, { file, line: lineOf(path), key });
  }
  return { value: result.data, file, lineOf };
}

/** Size, and flow-collection depth (`[[[`) counted before parsing: the parser itself recurses on it. */
function checkYamlLimits(text: string, file: string): void {
  if (text.length > YAML_LIMITS.bytes) throw new PipelineError(`invalid YAML: ${text.length} characters, over the ${YAML_LIMITS.bytes} limit for a configuration file`, { file });
  let depth = 0;
  let line = 1;
  let quote = '';
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) comment = true;
    else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > YAML_LIMITS.depth) throw new PipelineError(`invalid YAML: nested deeper than ${YAML_LIMITS.depth} levels`, { file, line });
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
}
