/**
 * Checks a request against Proxmox VE's own API schema (pve-docs
 * api-viewer/apidata.js, the subset kubedos uses, in ./schema): the path
 * and method exist and take API tokens; every parameter is one the schema
 * has (indexed ones as `scsi[n]`), with the right type, enum, pattern,
 * range and length; a property string's sub-keys (`efidisk0`'s `efitype`,
 * `net0`'s `virtio=MAC`) are known and valid; required parameters are there.
 * Named formats are checked for the ones kubedos sends; others pass.
 *
 * One endpoint is not in the subset: DELETE …/storage/{storage}/content/{volume}
 * (deleting a seed or an ISO). schema/supplement.json holds its entry from
 * the same apidata.js (pve-docs 9.1.3 and 8.4.2, identical there), and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type PveVersion = '8.4' | '9.1';

interface Prop {
  type?: string;
  optional?: number;
  enum?: string[];
  pattern?: string;
  minimum?: number | string;
  maximum?: number | string;
  maxLength?: number;
  format?: string | Record<string, SubProp>;
  items?: Prop;
  requires?: string;
  default_key?: number;
  alias?: string;
  keyAlias?: string;
  default?: unknown;
}
type SubProp = Prop;
interface Method {
  allowtoken?: number;
  parameters?: { additionalProperties?: number; properties?: Record<string, Prop> };
}
type Schema = Record<string, Record<string, Method>>;

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = new Map<PveVersion, Schema>();

export function loadSchema(version: PveVersion): Schema {
  let s = cache.get(version);
  if (!s) {
    s = {
      ...(JSON.parse(fs.readFileSync(path.join(here, 'schema', `pve-${version}-api-subset.json`), 'utf8')) as Schema),
      ...(JSON.parse(fs.readFileSync(path.join(here, 'schema', 'supplement.json'), 'utf8')).paths as Schema),
    };
    cache.set(version, s);
  }
  return s;
}

/** The schema path a concrete path matches, and its path parameters. */
export function matchPath(
  schema: Schema,
  apiPath: string,
): { template: string; params: Record<string, string> } | undefined {
  for (const template of Object.keys(schema)) {
    const names: string[] = [];
    const re = new RegExp('^' + template.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)')) + '$');
    const m = re.exec(apiPath);
    if (m) return { template, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

const NAMED: Record<string, (v: string) => boolean> = {
  'pve-vmid': (v) => /^\d+$/.test(v) && +v >= 100 && +v <= 999999999,
  'pve-node': (v) => /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(v),
  'pve-storage-id': (v) => /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v),
  'pve-bridge-id': (v) => /^[-_.\w\d]+$/.test(v),
  'mac-addr': (v) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(v) && (parseInt(v.slice(0, 2), 16) & 1) === 0,
  'dns-name': (v) => /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(v),
  'pve-tag-list': (v) =>
    v
      .split(/[;, ]+/)
      .filter(Boolean)
      .every((t) => /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(t)),
  'pve-qm-boot': (v) => /^(legacy=)?[acdn]{1,4}$/.test(v) || /^order=[a-z]+\d+(;[a-z]+\d+)*$/.test(v) || v === 'order=',
  'pve-qm-smbios1': (v) =>
    v.split(',').every((kv) => {
      const [k, val = ''] = kv.split('=');
      if (k === 'uuid') return /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(val);
      return ['base64', 'family', 'manufacturer', 'product', 'serial', 'sku', 'version'].includes(k!);
    }),
  'pve-volume-id': (v) => /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(v),
  'pve-volume-id-or-qm-path': (v) =>
    /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(v) || v.startsWith('/') || v === 'none' || v === 'cdrom',
  'pve-configid-list': (v) =>
    v
      .split(/[,;\s]+/)
      .filter(Boolean)
      .every((k) => /^[a-z][a-z_-]*\d*$/.test(k)),
  'disk-size': (v) => /^\d+(\.\d+)?[KMGT]?$/.test(v),
  'pve-storage-content': (v) => /^[a-z]+$/.test(v),
};

function checkValue(name: string, prop: Prop, value: string | string[], problems: string[]): void {
  if (prop.type === 'array') {
    const items = Array.isArray(value) ? value : [value];
    for (const v of items) checkValue(`${name}[]`, prop.items ?? { type: 'string' }, v, problems);
    return;
  }
  if (Array.isArray(value)) {
    problems.push(`${name}: given ${value.length} times, the schema takes one ${prop.type ?? 'value'}`);
    return;
  }
  const bad = (why: string): void => void problems.push(`${name}=${JSON.stringify(value)}: ${why}`);
  switch (prop.type) {
    case 'integer':
      if (!/^-?\d+$/.test(value)) return bad('not an integer');
      break;
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(value)) return bad('not a number');
      break;
    case 'boolean':
      if (!['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(value)) return bad('not a boolean (1/0)');
      break;
    default:
      break;
  }
  if ((prop.type === 'integer' || prop.type === 'number') && value !== '') {
    if (prop.minimum !== undefined && typeof prop.minimum === 'number' && +value < prop.minimum)
      bad(`below ${prop.minimum}`);
    if (prop.maximum !== undefined && !Number.isNaN(+prop.maximum) && +value > +prop.maximum)
      bad(`above ${prop.maximum}`);
  }
  if (prop.enum && !prop.enum.includes(value)) bad(`not one of ${prop.enum.join(', ')}`);
  if (prop.maxLength !== undefined && value.length > prop.maxLength) bad(`longer than ${prop.maxLength}`);
  if (prop.pattern && !new RegExp(`^(?:${prop.pattern})$`).test(value)) bad(`does not match ${prop.pattern}`);
  if (typeof prop.format === 'string') {
    const check = NAMED[prop.format];
    if (check && !check(value)) bad(`not a valid ${prop.format}`);
  } else if (prop.format && typeof prop.format === 'object') {
    checkPropertyString(name, prop.format, value, problems);
  }
}

/** `key=value,…` with a default key for a bare value, aliases, and key aliases (`virtio=MAC`: model virtio, macaddr MAC). */
function checkPropertyString(name: string, format: Record<string, SubProp>, value: string, problems: string[]): void {
  const given = new Map<string, string>();
  const defaultKey = Object.entries(format).find(([, p]) => p.default_key)?.[0];
  for (const part of value.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key = eq < 0 ? defaultKey : part.slice(0, eq);
    const v = eq < 0 ? part : part.slice(eq + 1);
    if (key === undefined) {
      problems.push(`${name}: "${part}" has no key and ${name} has no default key`);
      continue;
    }
    const sub = format[key];
    if (!sub) {
      problems.push(`${name}: unknown sub-key ${key} (known: ${Object.keys(format).join(', ')})`);
      continue;
    }
    if (sub.keyAlias) {
      given.set(sub.keyAlias, key);
      key = sub.alias!;
    } else if (sub.alias) key = sub.alias;
    if (given.has(key)) problems.push(`${name}: sub-key ${key} given twice`);
    given.set(key, v);
  }
  for (const [key, v] of given) {
    const sub = format[key];
    if (sub) checkValue(`${name}.${key}`, sub, v, problems);
  }
  for (const [key, sub] of Object.entries(format))
    if (!sub.optional && !sub.alias && !sub.keyAlias && sub.default === undefined && !given.has(key))
      problems.push(`${name}: sub-key ${key} is required`);
}

/** Every way the request departs from the schema (empty: it conforms). */
export function checkRequest(
  version: PveVersion,
  method: string,
  apiPath: string,
  params: Record<string, string | string[]>,
): string[] {
  const schema = loadSchema(version);
  const m = matchPath(schema, apiPath);
  if (!m) return [`${method} ${apiPath}: no such path in the PVE ${version} API schema`];
  const info = schema[m.template]![method];
  if (!info)
    return [
      `${method} ${m.template}: the schema has no ${method} here (only ${Object.keys(schema[m.template]!).join(', ')})`,
    ];
  const problems: string[] = [];
  if (info.allowtoken !== 1) problems.push(`${method} ${m.template} does not take API tokens`);
  const props = info.parameters?.properties ?? {};
  const all: Record<string, string | string[]> = { ...params, ...m.params };
  for (const [k, v] of Object.entries(all)) {
    let prop = props[k];
    if (!prop) {
      const idx = /^([a-z]+)(\d+)$/.exec(k);
      if (idx) prop = props[`${idx[1]}[n]`];
    }
    if (!prop) {
      if (info.parameters?.additionalProperties !== 1) problems.push(`${method} ${m.template}: unknown parameter ${k}`);
      continue;
    }
    checkValue(k, prop, v, problems);
    if (prop.requires && all[prop.requires] === undefined) problems.push(`${k} requires ${prop.requires}`);
  }
  for (const [k, p] of Object.entries(props))
    if (!p.optional && !k.includes('[n]') && all[k] === undefined)
      problems.push(`${method} ${m.template}: ${k} is required`);
  return problems.map((p) => `PVE ${version}: ${p}`);
}
