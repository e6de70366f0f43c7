import { PLANE_NAMES, ROLES } from './model.ts';

const ipv4 = { type: 'string', format: 'ipv4' };
const cidr = { type: 'string', pattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$' };
const hostname = { type: 'string', pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' };
const pveName = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9._-]*$' };
const port = { type: 'integer', minimum: 1, maximum: 65535 };

/** JSON Schema for the topology file: shape and ranges; cross-field rules live in validate.ts. */
export const topologySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'lan', 'apiVip', 'planes', 'proxmox', 'kubernetes', 'nodes'],
  properties: {
    name: hostname,
    allowNonHaCore: { type: 'boolean' },
    lan: {
      type: 'object',
      additionalProperties: false,
      required: ['cidr', 'gateway', 'dns', 'domain'],
      properties: {
        cidr,
        gateway: ipv4,
        dns: { type: 'array', items: ipv4, minItems: 1 },
        domain: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$' },
      },
    },
    apiVip: ipv4,
    hub: {
      type: 'object',
      additionalProperties: false,
      properties: { port },
    },
    planes: {
      type: 'array',
      minItems: 3,
      maxItems: 3,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'cidr', 'port', 'purpose'],
        properties: {
          name: { enum: [...PLANE_NAMES] },
          cidr,
          port,
          purpose: { type: 'string', minLength: 1 },
        },
      },
    },
    proxmox: {
      type: 'object',
      additionalProperties: false,
      required: ['nodes', 'storage', 'bridge'],
      properties: {
        endpoint: { type: 'string', pattern: '^https://[^/\\s]+(:\\d+)?/?$' },
        nodes: { type: 'array', items: pveName, minItems: 1 },
        storage: pveName,
        isoStorage: pveName,
        bridge: pveName,
        vlan: { type: 'integer', minimum: 1, maximum: 4094 },
        fingerprint: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$' },
        caFile: { type: 'string', minLength: 1 },
      },
    },
    certificates: {
      type: 'object',
      additionalProperties: false,
      properties: { leafLifetime: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*(s|m|h|d)$' } },
    },
    convergence: {
      type: 'object',
      additionalProperties: false,
      properties: { parallelInstalls: { type: 'integer', minimum: 1, maximum: 100000 } },
    },
    etcdBackups: {
      type: 'object',
      additionalProperties: false,
      properties: {
        every: { type: 'string', pattern: '^(off|[0-9]+(\\.[0-9]+)?\\s*(s|m|h|d))$' },
        keep: { type: 'integer', minimum: 1, maximum: 1000 },
        dir: { type: 'string', pattern: '^/[A-Za-z0-9._/-]*$' },
      },
    },
    kubernetes: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'podCidr', 'serviceCidr'],
      properties: {
        version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
        podCidr: cidr,
        serviceCidr: cidr,
      },
    },
    nodes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['vmid', 'hostname', 'ip', 'role', 'cores', 'memoryMiB', 'diskGiB'],
        properties: {
          vmid: { type: 'integer', minimum: 100, maximum: 999999999 },
          hostname,
          ip: ipv4,
          role: { enum: [...ROLES] },
          cores: { type: 'integer', minimum: 1, maximum: 512 },
          memoryMiB: { type: 'integer', minimum: 256 },
          diskGiB: { type: 'integer', minimum: 4 },
          planeHost: { type: 'integer', minimum: 1, maximum: 16777214 },
          smbiosUuid: {
            type: 'string',
            pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
          },
          priority: { type: 'integer', minimum: 1, maximum: 254 },
          pveNode: pveName,
        },
      },
    },
  },
} as const;
