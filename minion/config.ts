import fs from 'node:fs';
import { Ajv } from 'ajv';
import { UserError } from '../shared/errors.ts';
import type { MinionConfigFile, NodeIdentityFile } from '../shared/identity/files.ts';

const ajv = new Ajv({ allErrors: true });

const checkConfig = ajv.compile<MinionConfigFile>({
  type: 'object',
  required: ['hub', 'hubCaPem', 'identityFile', 'stateDir', 'useSmbios'],
  additionalProperties: false,
  properties: {
    hub: { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$' },
    hubCaPem: { type: 'string', pattern: 'BEGIN CERTIFICATE' },
    identityFile: { type: 'string', minLength: 1 },
    stateDir: { type: 'string', minLength: 1 },
    useSmbios: { type: 'boolean' },
    root: { type: 'string', minLength: 1 },
    recordCommands: { type: 'boolean' },
    planes: { enum: ['auto', 'off', 'wg-quick', 'wireguard-go'] },
    forgetCredential: { type: 'boolean' },
  },
});

const checkIdentity = ajv.compile<NodeIdentityFile>({
  type: 'object',
  required: ['deployment', 'node'],
  additionalProperties: false,
  properties: {
    deployment: { type: 'string', minLength: 1 },
    node: { type: 'string', minLength: 1 },
    credentialSeed: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' },
    smbiosUuid: { type: 'string' },
  },
});

function readJson(what: string, file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${what} ${file} is not valid JSON`);
  }
}

function problems(errors: typeof checkConfig.errors): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(top)'} ${e.message ?? ''}`).join('; ');
}

export function loadMinionConfig(file: string): MinionConfigFile {
  const data = readJson('minion config', file);
  if (!checkConfig(data)) throw new UserError(`minion config ${file} is invalid: ${problems(checkConfig.errors)}`);
  return data;
}

/** The enrollment credential must be private to this node: a group- or world-readable file is refused. */
export function loadIdentityFile(file: string): NodeIdentityFile {
  const data = readJson('identity file', file);
  if (!checkIdentity(data)) throw new UserError(`identity file ${file} is invalid: ${problems(checkIdentity.errors)}`);
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new UserError(`identity file ${file} is readable by others (mode ${mode.toString(8)})`, `chmod 600 ${file}`);
  }
  return data;
}
