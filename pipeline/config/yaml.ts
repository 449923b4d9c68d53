/**
 * Read a YAML file and validate it against a zod schema, so that every error names the file,
 * the line and the key (`pipeline.yaml:12: stages.0.target.suite: Required`).
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
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

export function parseYamlText<S extends z.ZodType>(text: string, schema: S, file: string): LoadedYaml<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line ?? lineCounter.linePos(yamlError.pos[0]).line;
    throw new PipelineError(`invalid YAML: ${yamlError.message.split('\n')[0]}`, { file, line });
  }
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
  const raw = doc.toJS() ?? {};
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const key = path.length ? path.join('.') : undefined;
    throw new PipelineError(issue.message, { file, line: lineOf(path), key });
  }
  return { value: result.data, file, lineOf };
}
