// A rule an organisation writes for itself, as tests need one: ACME's internal tokens
// (acme_ and 16 lower-case letters or digits), which no built-in rule reports.

export const ACME_TOKEN = 'acme_k3y9p2m8x7q1w2e3';

export interface AcmeRuleOptions {
  id?: string;
  category?: string;
  /** Extra rule fields, as YAML lines indented by four spaces (downgrade: ...). */
  fields?: string;
  /** Extra keys for the second example, as YAML flow pairs (path: x, severity: low). */
  secondExample?: string;
}

/** The rule file's YAML text. */
export function acmeRuleFile({ id = 'acme-internal-token', category = 'credential', fields = '', secondExample = '' }: AcmeRuleOptions = {}): string {
  return `rules:
  - id: ${id}
    title: ACME internal token
    category: ${category}
    severity: high
    keywords: [acme_]
    pattern: '\\b(?<secret>acme_[a-z0-9]{16})\\b'
${fields}    examples:
      - { text: 'token = ${ACME_TOKEN}', secret: ${ACME_TOKEN} }
      - { text: 'ACME=acme_z9y8x7w6v5u4t3s2', secret: acme_z9y8x7w6v5u4t3s2${secondExample ? `, ${secondExample}` : ''} }
    negativeExamples: ['acme_short', 'token = acme_']
`;
}
