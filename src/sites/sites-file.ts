import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { closestName } from '../config/closest-name.js';
import { isSiteSetting, SITE_SETTINGS, type SiteDeclaration, type SiteSetting, type WrittenSetting } from './declaration.js';
import type { SiteRefusal, SiteSource } from './site.js';

/** Settings that name a container, which a sites file entry has none of. */
const LABEL_ONLY: readonly SiteSetting[] = ['site', 'port', 'scheme', 'path', 'enable', 'stack'];

/**
 * Reads the sites file (YAML: one mapping per site, keyed by the site's name) into declarations. A broken entry is
 * refused alone, naming its line; a file that is not YAML at all is one refusal, and every other source goes on.
 */
export function parseSitesFile(path: string, text: string): Array<SiteDeclaration | SiteRefusal> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const at = (line: number): SiteSource => ({ kind: 'file', file: path, line });
  const firstError = document.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0].line ?? 1;
    return [
      {
        site: undefined,
        source: at(line),
        key: '(the file)',
        value: '',
        problem: `is not valid YAML: ${firstError.message.split('\n')[0]}`,
      },
    ];
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return [];
  if (!isMap(root)) {
    return [
      {
        site: undefined,
        source: at(lineOf(root)),
        key: '(the file)',
        value: '',
        problem:
          'is not a mapping of site names to their settings, e.g.\nwiki:\n  host: wiki.example.com\n  upstream: http://10.0.0.5:8080',
      },
    ];
  }
  return root.items.map((pair) => readEntry(pair as Pair<Node, Node>, lineOf, at));
}

function readEntry(
  pair: Pair<Node, Node>,
  lineOf: (node: Node | null | undefined) => number,
  at: (line: number) => SiteSource,
): SiteDeclaration | SiteRefusal {
  const name = isScalar(pair.key) ? scalarText(pair.key.value) : '';
  const source = at(lineOf(pair.key));
  const refuse = (key: string, value: string, problem: string, line = source): SiteRefusal => ({
    site: name || undefined,
    source: line,
    key,
    value,
    problem,
  });
  if (!isMap(pair.value)) return refuse(name, '', 'has no settings under it; indent them below the name, e.g.\n  host: wiki.example.com');
  const settings: Partial<Record<SiteSetting, WrittenSetting>> = {};
  for (const item of pair.value.items as Array<Pair<Node, Node>>) {
    const key = isScalar(item.key) ? scalarText(item.key.value) : '';
    const where = at(lineOf(item.key));
    const value = textOf(item.value);
    if (!isSiteSetting(key)) {
      const near = closestName(
        key,
        Object.keys(SITE_SETTINGS).filter((known) => !LABEL_ONLY.includes(known as SiteSetting)),
      );
      return refuse(key, value ?? '', `is not a setting of a site${near ? `; did you mean ${near}?` : ''}`, where);
    }
    if (LABEL_ONLY.includes(key)) {
      return refuse(
        key,
        value ?? '',
        'belongs on a service label (certkit.' + key + '); in the sites file, give upstream or routes',
        where,
      );
    }
    if (value === undefined) return refuse(key, '', 'is not text or a list of text', where);
    settings[key] = { key, value };
  }
  return { site: { key: name, value: name }, source, settings };
}

/** A scalar as written (numbers too), or a list of scalars joined by commas (hosts as a YAML list). */
function textOf(node: Node | null | undefined): string | undefined {
  if (node === null || node === undefined) return '';
  if (isScalar(node)) return scalarText(node.value);
  if (isSeq(node)) {
    const parts = node.items.map((item) => (isScalar(item) ? scalarText(item.value) : undefined));
    return parts.every((part) => part !== undefined) ? parts.join(',') : undefined;
  }
  return undefined;
}

/** A YAML scalar as text: strings as written, numbers and booleans in their plain form, null as empty. */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : '';
}
