import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/detector.js';
import { nhsCheckDigit } from '../../src/detect/validators.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';

// Whole realistic files of the infrastructure, personal-data and private-key classes, through
// the real detection core with every shipped rule: each planted (generated, fake) value is
// found by the expected rule on the expected line, and the negative files find nothing.

const detector = new Detector(loadRules(), { excludePaths: [] });
const scan = (path: string, text: string) => detector.scanText(path, text).findings;

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`not in text: ${needle}`);
  return text.slice(0, at).split('\n').length;
}

/** A generated NHS number in an issued range (valid modulus 11 check digit). */
let nhsSeq = 0;
function nhs(prefix: string): string {
  for (;;) {
    const nine = (prefix + String(100_000 + 7919 * ++nhsSeq)).slice(0, 9);
    const check = nhsCheckDigit(nine);
    if (check !== null) return nine + check;
  }
}
const spaced = (n: string) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
const invalid = (n: string) => n.slice(0, 9) + ((Number(n[9]) + 1) % 10);

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const saJwt = `${b64url({ alg: 'RS256', kid: 'keepopen-fake' })}.${b64url({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:ci:deployer' })}.${randomBytes(64).toString('base64url')}`;
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaLines = rsaPem.trim().split('\n');
const staticKey = () => ['#', '# 2048 bit OpenVPN static key', '#', '-----BEGIN OpenVPN Static key V1-----', ...Array.from({ length: 16 }, () => randomBytes(16).toString('hex')), '-----END OpenVPN Static key V1-----'].join('\n');
const fakeCert = `-----BEGIN CERTIFICATE-----\n${randomBytes(300).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;

interface Case { path: string; text: string; expect: { rule: string; line: number }[] }
const expectFindings = ({ path, text, expect: wanted }: Case) => {
  const got = scan(path, text).map((f) => ({ rule: f.ruleId, line: f.line }));
  expect(got).toEqual(wanted);
};

describe('kubeconfigs', () => {
  it('finds a service-account JWT in an EKS-style kubeconfig', () => {
    const text = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(fakeCert).toString('base64')}
    server: https://0A1B2C3D4E5F.gr7.eu-west-2.eks.amazonaws.com
  name: records-prod
contexts:
- context:
    cluster: records-prod
    namespace: referrals
    user: ci-deployer
  name: records-prod
current-context: records-prod
kind: Config
preferences: {}
users:
- name: ci-deployer
  user:
    token: ${saJwt}
`;
    expectFindings({ path: 'deploy/records-prod.kubeconfig', text, expect: [{ rule: 'kubeconfig-user-token', line: lineOf(text, saJwt) }] });
  });

  it('finds an AKS admin key (once), a GKE access token, a basic-auth password and an exec env secret', () => {
    const keyData = Buffer.from(rsaPem).toString('base64');
    const gke = 'ya29.a0KeepOpenFake' + randomBytes(30).toString('base64url');
    const spn = 'Kp0~Fake' + randomBytes(18).toString('base64url');
    const text = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(fakeCert).toString('base64')}
    server: https://aks-fake-dns-0a1b2c3d.hcp.uksouth.azmk8s.io:443
  name: aks-fake
current-context: aks-fake-admin
users:
- name: clusterAdmin_rg-aks_aks-fake
  user:
    client-certificate-data: ${Buffer.from(fakeCert).toString('base64')}
    client-key-data: ${keyData}
    token: ${randomBytes(32).toString('hex')}
- name: gke_fake-project_europe-west2_c1
  user:
    auth-provider:
      config:
        access-token: ${gke}
        cmd-path: /usr/lib/google-cloud-sdk/bin/gcloud
        expiry: "2024-01-01T00:00:00Z"
      name: gcp
- name: lab-admin
  user:
    username: admin
    password: Kp0penFakeLabPass2024
- name: aks-spn
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, spn]
      env:
      - name: AAD_SERVICE_PRINCIPAL_CLIENT_SECRET
        value: ${spn}
`;
    expectFindings({
      path: 'clusters/aks-fake-admin-kubeconfig.yaml',
      text,
      expect: [
        { rule: 'kubeconfig-client-key-data', line: lineOf(text, 'client-key-data') },
        { rule: 'kubeconfig-user-token', line: lineOf(text, gke) },
        { rule: 'kubeconfig-user-token', line: lineOf(text, 'Kp0penFakeLabPass2024') },
        { rule: 'kubeconfig-user-token', line: lineOf(text, spn) },
      ],
    });
  });

  it('finds nothing in kubeconfigs without literal credentials', () => {
    const text = `apiVersion: v1
kind: Config
current-context: dev
users:
- name: empty
  user:
    token: ""
- name: mounted
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
- name: placeholder
  user:
    token: <token>
- name: env
  user:
    token: \${KUBE_TOKEN}
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, dev]
      env:
      - name: AWS_PROFILE
        value: dev-readonly
- name: cert-only
  user:
    client-certificate-data: ${Buffer.from(fakeCert).toString('base64')}
    client-key: /home/ci/.minikube/profiles/minikube/client.key
`;
    expect(scan('.kube/config', text)).toEqual([]);
  });
});

describe('Terraform state', () => {
  const resource = (type: string, name: string, attributes: Record<string, unknown>, sensitive: string[] = []) => ({
    mode: 'managed', type, name, provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
    instances: [{ schema_version: 0, attributes, sensitive_attributes: sensitive.map((a) => [{ type: 'get_attr', value: a }]) }],
  });
  const sqlPw = 'Kp0penFake' + randomBytes(9).toString('base64url');
  const storageKey = randomBytes(64).toString('base64');
  const clientSecret = 'Kp0~' + randomBytes(24).toString('base64url');
  const rdsPw = 'Kp0penFakeRds' + randomBytes(6).toString('hex');
  const state = {
    version: 4, terraform_version: '1.6.6', serial: 42, lineage: 'a1b2c3d4-0000-4fee-8bad-0123456789ab', outputs: {},
    resources: [
      resource('azurerm_mssql_server', 'records', { administrator_login: 'sqladmin', administrator_login_password: sqlPw, fully_qualified_domain_name: 'sql-records-fake.database.windows.net', version: '12.0' }, ['administrator_login_password']),
      resource('azurerm_storage_account', 'flowlogs', { name: 'stfakeflowlogs', primary_access_key: storageKey, secondary_access_key: randomBytes(64).toString('base64'), primary_blob_endpoint: 'https://stfakeflowlogs.blob.core.windows.net/' }),
      resource('azuread_application_password', 'ci', { application_object_id: '0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b', display_name: 'ci', value: clientSecret }),
      resource('aws_rds_cluster', 'cases', { cluster_identifier: 'cases-prod', master_username: 'cases', master_password: rdsPw, port: 5432 }),
      resource('azurerm_key_vault', 'kv', { name: 'kv-fake', tenant_id: '0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b', sku_name: 'standard' }),
      resource('azurerm_linux_web_app', 'app', { name: 'app-fake', password: null, connection_string: [], client_secret: '', token: '(sensitive value)' }),
    ],
  };
  const text = JSON.stringify(state, null, 2);

  it('finds each secret attribute on its own line (not the secondary key, nulls, empties or redactions)', () => {
    expectFindings({
      path: 'infra/prod/terraform.tfstate',
      text,
      expect: [
        { rule: 'terraform-state-file', line: lineOf(text, sqlPw) },
        { rule: 'terraform-state-file', line: lineOf(text, storageKey) },
        { rule: 'terraform-state-file', line: lineOf(text, clientSecret) },
        { rule: 'terraform-state-file', line: lineOf(text, rdsPw) },
      ],
    });
  });

  it('treats `terraform show -json` output as state', () => {
    const show = JSON.stringify({ format_version: '1.0', terraform_version: '1.6.6', values: { root_module: { resources: [{ address: 'azurerm_mssql_server.records', mode: 'managed', type: 'azurerm_mssql_server', name: 'records', values: { administrator_login: 'sqladmin', administrator_login_password: sqlPw }, sensitive_values: { administrator_login_password: true } }] } } }, null, 2);
    expectFindings({ path: 'infra/prod/state.json', text: show, expect: [{ rule: 'terraform-state-json', line: lineOf(show, sqlPw) }] });
  });

  it('finds nothing in a state whose secrets are null, empty or redacted', () => {
    const clean = JSON.stringify({ ...state, resources: [resource('azurerm_mssql_server', 'records', { administrator_login_password: null, master_password: '', client_secret: 'REDACTED', access_key: '(sensitive)', secret: '(sensitive value)' }, ['administrator_login_password'])] }, null, 2);
    expect(scan('infra/dev/terraform.tfstate', clean)).toEqual([]);
  });
});

describe('NHS numbers', () => {
  const a = nhs('452'), b = nhs('688'), c = nhs('731'), d = nhs('401'), e = nhs('634');

  it('finds each row of a multi-row SQL seed, and the NHS column of a patient table', () => {
    const text = `-- Demo data for the ward dashboard (fake people)
CREATE TABLE patients (id int, nhs_no varchar(10), given_name text, family_name text, date_of_birth date);

INSERT INTO patients (id, nhs_no, given_name, family_name, date_of_birth)
VALUES
  (1, '${a}', 'Alex', 'KEEPOPEN', '1970-01-01'),
  (2, '${b}', 'Sam', 'FAKEPERSON', '1980-02-02'),
  (3, '${c}', 'Jo', 'NOTREAL', '1990-03-03');

INSERT [dbo].[Patient] ([PatientId], [PatientIdentifier], [Surname]) VALUES (4, N'${d}', N'KEEPOPEN')
`;
    expectFindings({
      path: 'db/seed/001_patients.sql',
      text,
      expect: [a, b, c, d].map((n) => ({ rule: 'nhs-number-in-csv', line: lineOf(text, n) })).map((x, i) => (i === 3 ? { ...x, rule: 'nhs-number-in-sql-insert' } : x)),
    });
  });

  it('finds NHS numbers in PID-2, PID-3 repetitions (NHS type, NHS OID) and PID-4 of an HL7 ADT message', () => {
    const text = [
      'MSH|^~\\&|PAS|RX1|EPR|RX1|20240101120000||ADT^A01|MSG00001|P|2.4',
      'EVN|A01|20240101120000',
      `PID|1||RX1234567^^^RX1^MR~${a}^^^NHS^NH||KEEPOPEN^ALEX^^^MR||19700101|M|||1 FAKE STREET^^LEEDS^^LS1 1AA`,
      'PV1|1|I|WARD7^BED3^^RX1',
      `PID|2|${b}^^^NHS^NH|RX7654321^^^RX1^MR||FAKEPERSON^SAM||19800202|F`,
      `PID|3||${c}^^^NHS&2.16.840.1.113883.2.1.4.1&ISO^NH||NOTREAL^JO||19900303|F`,
      `PID|4||RX1111111^^^RX1^MR|${d}^^^NHS^NH|KEEPOPEN^JAMIE||20000404|M`,
      `PID|5||${invalid(e)}^^^NHS^NH~${e}^^^RX1^MR||TESTPATIENT^NEG||20010101|F`,
      'OBX|1|NM|4522417047^Glucose^L||5.4|mmol/L',
    ].join('\r');
    const col = (n: string) => text.indexOf(n) + 1;
    const got = scan('interfaces/samples/adt_a01.hl7', text).map((f) => ({ rule: f.ruleId, line: f.line, column: f.column }));
    expect(got).toEqual([a, b, c, d].map((n) => ({ rule: 'nhs-number-in-hl7-pid', line: 1, column: col(n) })));
  });

  it('finds NHS numbers in FHIR Patient resources, JSON (either order, with the verification extension) and XML', () => {
    const ext = { url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus', valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01', display: 'Number present and verified' }] } };
    const json = JSON.stringify({ resourceType: 'Bundle', entry: [
      { resource: { resourceType: 'Patient', identifier: [{ extension: [ext], system: 'https://fhir.nhs.uk/Id/nhs-number', value: a }], name: [{ family: 'KEEPOPEN' }], birthDate: '1970-01-01' } },
      { resource: { resourceType: 'Patient', identifier: [{ value: b, extension: [ext], system: 'https://fhir.nhs.uk/Id/nhs-number' }, { system: 'https://fhir.fake-trust.nhs.uk/Id/mrn', value: 'RX1234567' }], name: [{ family: 'FAKEPERSON' }] } },
      { resource: { resourceType: 'Observation', valueQuantity: { value: Number(c), unit: 'mg' }, identifier: [{ system: 'https://fhir.fake-trust.nhs.uk/Id/order', value: c }] } },
    ] }, null, 2);
    expectFindings({ path: 'tests/fixtures/bundle.json', text: json, expect: [
      { rule: 'nhs-number', line: lineOf(json, a) },
      { rule: 'nhs-number-fhir-value-first', line: lineOf(json, b) },
    ] });
    const xml = `<Patient xmlns="http://hl7.org/fhir">
  <identifier>
    <value value="${c}"/>
    <system value="https://fhir.nhs.uk/Id/nhs-number"/>
  </identifier>
  <identifier>
    <system value="https://fhir.nhs.uk/Id/nhs-number"/>
    <value value="${d}"/>
  </identifier>
  <identifier>
    <system value="https://fhir.nhs.uk/Id/ods-organization-code"/>
    <value value="${e}"/>
  </identifier>
</Patient>
`;
    expectFindings({ path: 'src/test/resources/patient.xml', text: xml, expect: [
      { rule: 'nhs-number-fhir-value-first', line: lineOf(xml, c) },
      { rule: 'nhs-number', line: lineOf(xml, d) },
    ] });
  });

  it('finds NHS numbers in notebook DataFrame outputs (HTML table, text table, number as index)', () => {
    const html = ['<div>\n', '<table border="1" class="dataframe">\n', '  <thead>\n', '    <tr style="text-align: right;">\n', '      <th></th>\n', '      <th>patient_id</th>\n', '      <th>ward</th>\n', '      <th>NHS_NUMBER</th>\n', '      <th>surname</th>\n', '    </tr>\n', '  </thead>\n', '  <tbody>\n',
      '    <tr>\n', '      <th>0</th>\n', '      <td>1001</td>\n', '      <td>WARD7</td>\n', `      <td>${a}</td>\n`, '      <td>KEEPOPEN</td>\n', '    </tr>\n',
      '    <tr>\n', '      <th>1</th>\n', '      <td>1002</td>\n', '      <td>WARD9</td>\n', `      <td>${spaced(b)}</td>\n`, '      <td>FAKEPERSON</td>\n', '    </tr>\n', '  </tbody>\n', '</table>\n', '</div>'];
    const plain = ['   patient_id   ward  NHS_NUMBER     surname\n', `0        1001  WARD7  ${a}    KEEPOPEN\n`, `1        1002  WARD9  ${spaced(b)}  FAKEPERSON`];
    const notebook = { cells: [
      { cell_type: 'code', execution_count: 3, metadata: {}, source: ['patients = pd.read_sql(QUERY, conn)\n', 'patients.head(2)'], outputs: [{ output_type: 'execute_result', execution_count: 3, metadata: {}, data: { 'text/html': html, 'text/plain': plain } }] },
      { cell_type: 'code', execution_count: 4, metadata: {}, source: ['patients.set_index("nhs_number")[["surname", "dob"]]'], outputs: [{ output_type: 'execute_result', execution_count: 4, metadata: {}, data: { 'text/plain': ['               surname         dob\n', 'nhs_number                        \n', `${c}     KEEPOPEN  1970-01-01\n`, `${d}   FAKEPERSON  1980-02-02`] } }] },
      { cell_type: 'code', execution_count: 5, metadata: {}, source: ['orders.head(1)'], outputs: [{ output_type: 'stream', name: 'stdout', text: ['   order_id  admitted_epoch\n', `0  ${invalid(e)}      1609459200\n`] }] },
    ], metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } }, nbformat: 4, nbformat_minor: 5 };
    const text = JSON.stringify(notebook, null, 1);
    const json = (s: string) => JSON.stringify(s).slice(1, -1);
    const lineOfJson = (needle: string, from = 0) => text.slice(0, text.indexOf(json(needle), from)).split('\n').length;
    const plainAt = text.indexOf('"text/plain"');
    expectFindings({ path: 'analysis/01-cohort.ipynb', text, expect: [
      { rule: 'nhs-number-in-notebook-output', line: lineOfJson(a) },
      { rule: 'nhs-number-in-notebook-output', line: lineOfJson(spaced(b)) },
      { rule: 'nhs-number-in-notebook-output', line: lineOfJson(a, plainAt) },
      { rule: 'nhs-number-in-notebook-output', line: lineOfJson(spaced(b), plainAt) },
      { rule: 'nhs-number-in-notebook-output', line: lineOfJson(c) },
      { rule: 'nhs-number-in-notebook-output', line: lineOfJson(d) },
    ].sort((x, y) => x.line - y.line) });
  });

  it('finds nothing in seeds and messages holding invalid, test-range or non-NHS numbers', () => {
    const orders = `INSERT INTO orders (id, order_no, total) VALUES (1, '${a}', 12.00), (2, '${b}', 3.50);
INSERT INTO appointments (id, booked_epoch, phone) VALUES (5, 1609459200, '01132433144');
`;
    expect(scan('db/seed/002_orders.sql', orders)).toEqual([]);
    const patients = `INSERT INTO patients (id, nhs_number, surname) VALUES (3, '${invalid(c)}', 'KEEPOPEN'), (4, '9434765919', 'TESTPATIENT');
INSERT INTO dbo.Patient (PatientId, Surname, Phone) VALUES (5, N'KEEPOPEN', N'07700 900123');
`;
    expect(scan('db/seed/003_test_patients.sql', patients)).toEqual([]);
    const hl7 = `MSH|^~\\&|PAS|RX1|EPR|RX1|20240101120000||ADT^A04|MSG2|P|2.4\rPID|1||9434765919^^^NHS^NH~${a}^^^RX1^MR||TESTPATIENT^ONE||19700101|M\r`;
    expect(scan('interfaces/samples/test-patient.hl7', hl7)).toEqual([]);
  });
});

describe('private keys in code, PGP blocks and OpenVPN profiles', () => {
  it('finds a PEM built from concatenated string literals in a Java test class, on its first body line', () => {
    const text = `package uk.nhs.fake.auth;

import org.junit.jupiter.api.Test;

class TokenSignerTest {
    // Test key, generated for this test only.
    private static final String PRIVATE_KEY =
        "-----BEGIN RSA PRIVATE KEY-----\\n"
            + ${rsaLines.slice(1, -1).map((l) => `"${l}\\n"`).join('\n            + ')}
            + "-----END RSA PRIVATE KEY-----\\n";

    @Test
    void signsTokens() {
        var signer = new TokenSigner(PRIVATE_KEY);
    }
}
`;
    expectFindings({ path: 'src/test/java/uk/nhs/fake/auth/TokenSignerTest.java', text, expect: [{ rule: 'pem-private-key', line: lineOf(text, rsaLines[1]!) }] });
  });

  it('finds keys in Python, C#, JavaScript and Kotlin code forms and a Java text block', () => {
    const body = rsaLines.slice(1, -1);
    const cases: [string, string][] = [
      ['tests/test_jwt.py', `KEY = (\n    "-----BEGIN RSA PRIVATE KEY-----\\n"\n${body.map((l) => `    "${l}\\n"`).join('\n')}\n    "-----END RSA PRIVATE KEY-----\\n"\n)\n`],
      ['Tests/SignerTests.cs', `const string Key = "-----BEGIN RSA PRIVATE KEY-----" + Environment.NewLine +\n${body.map((l) => `    "${l}" + Environment.NewLine +`).join('\n')}\n    "-----END RSA PRIVATE KEY-----";\n`],
      ['test/keys.js', `const KEY = [\n  '-----BEGIN RSA PRIVATE KEY-----',\n${body.map((l) => `  '${l}',`).join('\n')}\n  '-----END RSA PRIVATE KEY-----',\n].join('\\n');\n`],
      ['src/test/kotlin/Keys.kt', `val key = """\n    |-----BEGIN RSA PRIVATE KEY-----\n${body.map((l) => `    |${l}`).join('\n')}\n    |-----END RSA PRIVATE KEY-----\n    """.trimMargin()\n`],
      ['src/test/java/Keys.java', `class Keys {\n  static final String KEY = """\n      -----BEGIN RSA PRIVATE KEY-----\n${body.map((l) => `      ${l}`).join('\n')}\n      -----END RSA PRIVATE KEY-----\n      """;\n}\n`],
      ['config/dev.py', `SIGNING_KEY = "${ecPem.trim().split('\n').join('\\n')}"\n`],
    ];
    for (const [path, text] of cases) {
      const first = path === 'config/dev.py' ? 'SIGNING_KEY' : body[0]!;
      expectFindings({ path, text, expect: [{ rule: 'pem-private-key', line: lineOf(text, first) }] });
    }
  });

  it('finds nothing in a PEM parser holding only the BEGIN and END markers', () => {
    const text = `class PemReader {
    private static final String BEGIN = "-----BEGIN RSA PRIVATE KEY-----";
    private static final String HINT = "Paste the key body here, with its lines of base64, and nothing else at all";
    private static final String END = "-----END RSA PRIVATE KEY-----";
}
`;
    expect(scan('src/main/java/PemReader.java', text)).toEqual([]);
  });

  it('finds a PGP private key block on its first body line, after the armour headers', () => {
    const body = randomBytes(600).toString('base64').replace(/(.{64})/g, '$1\n');
    const text = `-----BEGIN PGP PRIVATE KEY BLOCK-----
Version: GnuPG v2
Comment: KeepOpen fake release-signing key

${body}
=Kp0p
-----END PGP PRIVATE KEY BLOCK-----
`;
    expectFindings({ path: 'release/signing-key.asc', text, expect: [{ rule: 'pgp-private-key-block', line: 5 }] });
  });

  it('reports an OpenVPN profile once: its <key> body, else its inline static key, else its inline password', () => {
    const withKey = `client
dev tun
proto udp
remote vpn.fake-trust.nhs.uk 1194
<auth-user-pass>
alex.keepopen
Kp0penFakeVpnPass!24
</auth-user-pass>
<ca>
${fakeCert}
</ca>
<key>
${rsaPem}</key>
<tls-crypt>
${staticKey()}
</tls-crypt>
`;
    expectFindings({ path: 'vpn/alex.ovpn', text: withKey, expect: [{ rule: 'openvpn-inline-key', line: lineOf(withKey, rsaLines[1]!) }] });
    const sk = staticKey();
    const withStatic = `client\ndev tun\nremote vpn.fake-trust.nhs.uk 1194\nauth-user-pass\n<ca>\n${fakeCert}\n</ca>\n<tls-auth>\n${sk}\n</tls-auth>\nkey-direction 1\n`;
    expectFindings({ path: 'openvpn/client.conf', text: withStatic, expect: [{ rule: 'openvpn-inline-static-key', line: lineOf(withStatic, sk.split('\n')[4]!) }] });
    const withPassword = `client\nremote vpn.fake-trust.nhs.uk 1194\n<auth-user-pass>\nsvc-backup\nKp0penFakeBackupVpn77\n</auth-user-pass>\n<ca>\n${fakeCert}\n</ca>\n`;
    expectFindings({ path: 'vpn/backup-link.ovpn', text: withPassword, expect: [{ rule: 'openvpn-inline-auth-user-pass', line: 5 }] });
  });

  it('finds nothing in profiles that reference files or hold templates', () => {
    const text = `client\nremote vpn.fake-trust.nhs.uk 1194\nca ca.crt\ncert client.crt\nkey client.key\ntls-crypt ta.key\nauth-user-pass creds.txt\n<auth-user-pass>\n{{ vpn_user }}\n{{ vpn_password }}\n</auth-user-pass>\n<tls-crypt>\n{{ openvpn_tls_crypt }}\n</tls-crypt>\n`;
    expect(scan('roles/openvpn/templates/client.ovpn', text)).toEqual([]);
  });
});
