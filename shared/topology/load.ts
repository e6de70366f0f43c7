import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LineCounter, parse, parseDocument, type Document } from 'yaml';
import { UserError } from '../errors.ts';
import type { Topology } from './model.ts';
import { topologySchema } from './schema.ts';
import { validateTopology, type TopologyIssue } from './validate.ts';

/** The 16-node platform, used when no topology is named ("the embedded default"). */
export const DEFAULT_TOPOLOGY = path.resolve(import.meta.dirname, '../../examples/platform-16.yaml');

export const DEFAULT_HUB_PORT = 7443;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));
const checkShape = ajv.compile(topologySchema);

/** A topology that failed to load, with every problem located in the file. */
export class TopologyError extends UserError {
  readonly issues: Array<TopologyIssue & { line?: number }>;
  constructor(file: string, issues: Array<TopologyIssue & { line?: number }>) {
    const lines = issues.map((i) => `  ${file}${i.line ? `:${i.line}` : ''}: ${i.path || '(top)'}: ${i.message}`);
    super(`invalid topology ${file} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

export function loadTopology(file: string = DEFAULT_TOPOLOGY): Topology {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read topology ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseTopology(text, file);
}

/**
 * Parses and validates a topology. The fast path builds no syntax tree
 * (JSON.parse for JSON, which is YAML too; yaml's parse otherwise): a
 * 10,000-node topology costs seconds and >100 MiB as a YAML Document. The
 * Document, with line numbers, is built only to locate problems.
 */
export function parseTopology(text: string, file = '<topology>'): Topology {
  let data: unknown;
  try {
    data = /^\s*\{/.test(text) ? JSON.parse(text) : parse(text, { prettyErrors: false, uniqueKeys: true });
  } catch {
    throw new TopologyError(file, syntaxIssues(text));
  }
  const located = (issues: TopologyIssue[]) => {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter });
    return issues.map((i) => ({ ...i, line: lineOf(doc, lineCounter, fromFieldPath(i.path)) }));
  };
  if (!checkShape(data)) {
    const issues = (checkShape.errors ?? []).map((e) => {
      const segments = e.instancePath.split('/').slice(1);
      const extra = e.keyword === 'additionalProperties' ? ` "${String(e.params.additionalProperty)}"` : '';
      const allowed = e.keyword === 'enum' ? ` (one of ${(e.params.allowedValues as string[]).join(', ')})` : '';
      return { path: toFieldPath(segments), message: `${e.message ?? 'is invalid'}${extra}${allowed}` };
    });
    throw new TopologyError(file, located(issues));
  }
  const topology = data as Topology;
  topology.hub = { port: topology.hub?.port ?? DEFAULT_HUB_PORT };
  const issues = validateTopology(topology);
  if (issues.length > 0) throw new TopologyError(file, located(issues));
  return topology;
}

function syntaxIssues(text: string): Array<TopologyIssue & { line?: number }> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return [{ path: '', message: 'not valid JSON' }];
  return doc.errors.map((e) => ({
    path: '',
    message: e.message.split('\n')[0]!,
    line: lineCounter.linePos(e.pos[0]).line,
  }));
}

function toFieldPath(segments: string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function fromFieldPath(p: string): string[] {
  return p.split(/\.|\[|\]/).filter((s) => s.length > 0);
}

function lineOf(doc: Document, counter: LineCounter, segments: string[]): number | undefined {
  for (let n = segments.length; n >= 0; n--) {
    const keyPath = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const node = keyPath.length === 0 ? doc.contents : doc.getIn(keyPath, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}
