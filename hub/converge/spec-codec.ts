import type { PlannedTask } from '../plan/model.ts';

/** JSON for a planned task, with file contents as base64 rather than JSON's byte arrays. */
export function encodeSpec(task: PlannedTask): string {
  return JSON.stringify(task, (_k, v: unknown) => {
    if (
      v &&
      typeof v === 'object' &&
      (v as { type?: string }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return { $b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    if (v instanceof Uint8Array) return { $b64: Buffer.from(v).toString('base64') };
    return v;
  });
}

export function decodeSpec(json: string): PlannedTask {
  return JSON.parse(json, (_k, v: unknown) =>
    v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string'
      ? Buffer.from((v as { $b64: string }).$b64, 'base64')
      : v,
  ) as PlannedTask;
}
