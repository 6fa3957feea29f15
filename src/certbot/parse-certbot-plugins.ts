/** One plugin as `certbot plugins` lists it. */
export interface CertbotPlugin {
  /** The name certbot knows it by, e.g. `dns-rfc2136`, `webroot`. */
  name: string;
  description: string;
  kinds: Array<'authenticator' | 'installer'>;
  /** The Python module the entry point loads, e.g. `certbot_dns_rfc2136._internal.dns_rfc2136`; '' when not shown. */
  module: string;
  /** Where it comes from: certbot itself, or the Python package carrying it (the module's top package). */
  source: string;
}

/**
 * Reads `certbot plugins` output. certbot wraps long lines at 80 columns, and prints the entry point as
 * `name = module:Class` (certbot 2.x) or `EntryPoint(name='…', value='module:Class', …)` (newer): both are read.
 */
export function parseCertbotPlugins(output: string): CertbotPlugin[] {
  const plugins: CertbotPlugin[] = [];
  for (const block of output.split(/^\* /m).slice(1)) {
    const [first = '', ...rest] = block.split('\n');
    const name = first.trim();
    if (!/^[\w.:-]+$/.test(name)) continue;
    // Continuation lines join the field they wrap; a line of dashes ends the list.
    const fields = new Map<string, string>();
    let current = '';
    for (const line of rest) {
      if (/^(- )+-?\s*$/.test(line) || line.trim() === '') {
        current = '';
        continue;
      }
      const field = /^(Description|Interfaces|Entry point):\s*(.*)$/.exec(line);
      if (field) {
        current = field[1] as string;
        fields.set(current, (field[2] as string).trim());
      } else if (current !== '') {
        fields.set(current, `${fields.get(current) ?? ''} ${line.trim()}`.trim());
      }
    }
    const interfaces = (fields.get('Interfaces') ?? '').toLowerCase();
    const kinds = (['authenticator', 'installer'] as const).filter((kind) => interfaces.includes(kind));
    const entry = fields.get('Entry point') ?? '';
    const module = /value='([\w.]+):/.exec(entry)?.[1] ?? /=\s*([\w.]+):/.exec(entry)?.[1] ?? '';
    const top = module.split('.')[0] ?? '';
    plugins.push({
      name,
      description: fields.get('Description') ?? '',
      kinds,
      module,
      source: top === 'certbot' ? 'certbot (built in)' : top,
    });
  }
  return plugins;
}
