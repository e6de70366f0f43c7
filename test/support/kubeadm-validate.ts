import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { KUBEADM_SCHEMAS } from './kubeadm-schema.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const validators = Object.fromEntries(
  Object.entries(KUBEADM_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)]),
);

/** Problems with a kubeadm config file (every document), empty when it matches the v1beta4 types. */
export function kubeadmConfigProblems(text: string): string[] {
  const problems: string[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length) problems.push(...doc.errors.map((e) => `document ${i + 1}: ${e.message}`));
    const obj = doc.toJS() as { kind?: string } | null;
    const validate = obj?.kind ? validators[obj.kind] : undefined;
    if (!validate) {
      problems.push(`document ${i + 1}: unknown kind ${obj?.kind ?? '(none)'}`);
      continue;
    }
    const kind = obj?.kind ?? '';
    if (!validate(obj)) problems.push(...(validate.errors ?? []).map((e) => `${kind}${e.instancePath}: ${e.message}`));
  }
  return problems;
}
