import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/detector.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';

// Whole, realistic files through the shipped rules (patterns/), as a scan sees them: each
// planted fake credential must be found by the expected rule on the expected line, and the
// same files written the way careful repos write them (placeholders, vault references,
// environment lookups, empty values) must give no credential finding at all.
// Every value here is invented (most carry KEEPOPEN, FAKE or Kp0pen).

const detector = new Detector(loadRules());

/** Credential findings as "line ruleId", sorted: other categories have their own tests. */
function credentials(path: string, text: string): string[] {
  return detector
    .scanText(path, text)
    .findings.filter((f) => f.category === 'credential')
    .map((f) => `${f.line} ${f.ruleId}`)
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
}

const AZURE_KEY = 'KEEPOPENfakeAzureStorageKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ+/0123456789Q==';
const FERNET = 'KeepOpenFakeFernetKey0123456789abcdefghijkw=';

describe('API request collections', () => {
  it('finds every credential in a Postman collection', () => {
    const collection = String.raw`{
  "info": { "name": "Records API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
  "auth": {
    "type": "bearer",
    "bearer": [
      { "key": "token", "value": "Kp0penFakeBearerTok3nQw2Er7Ty5Ui3", "type": "string" }
    ]
  },
  "item": [
    {
      "name": "Login",
      "request": {
        "method": "POST",
        "header": [
          { "key": "Authorization", "value": "Bearer FAKEkeepopen0a1b2c3d4e5f6a7b8c9d0e1f", "type": "text" },
          { "key": "x-api-key", "value": "KEEPOPENfake9f8e7d6c5b4a3928171615", "type": "text" }
        ],
        "body": {
          "mode": "raw",
          "raw": "{\n    \"username\": \"svc.reports\",\n    \"password\": \"Kp0penFake!Login24\"\n}",
          "options": { "raw": { "language": "json" } }
        },
        "url": { "raw": "{{baseUrl}}/auth/login" }
      }
    },
    {
      "name": "Token",
      "request": {
        "body": {
          "mode": "urlencoded",
          "urlencoded": [
            { "key": "grant_type", "value": "password", "type": "text" },
            { "key": "password", "value": "KeepOpenFake#Pw77", "type": "text" }
          ]
        },
        "auth": { "type": "apikey", "apikey": [ { "key": "value", "value": "KEEPOPENfakeApiKeyValue0123456789", "type": "string" }, { "key": "key", "value": "X-API-Key", "type": "string" } ] }
      }
    }
  ]
}
`;
    expect(credentials('postman/records-api.postman_collection.json', collection)).toEqual([
      '6 credential-name-value-pair-json',
      '15 credential-name-value-pair-json',
      '16 credential-name-value-pair-json',
      '20 password-in-escaped-json',
      '33 credential-name-value-pair-json',
      '36 postman-apikey-auth-value',
    ]);
  });

  it('finds the values of a Postman environment and nothing in one kept as references', () => {
    const env = `{
  "name": "Production",
  "values": [
    { "key": "baseUrl", "value": "https://records-api.example.org", "type": "default", "enabled": true },
    { "key": "password", "value": "Kp0penEnvFake!2024", "type": "secret", "enabled": true },
    { "key": "apiKey", "value": "KEEPOPENfakeEnvApiKey7f6e5d4c3b2a1", "type": "default", "enabled": true },
    { "key": "clientSecret", "value": "KEEPOPENfakeCS0a9b8c7d6e5f4a3b2c1d0", "enabled": true }
  ]
}
`;
    expect(credentials('postman/prod.postman_environment.json', env)).toEqual([
      '5 credential-name-value-pair-json',
      '6 credential-name-value-pair-json',
      '7 credential-name-value-pair-json',
    ]);
    const placeholders = String.raw`{
  "values": [
    { "key": "password", "value": "", "type": "secret", "enabled": true },
    { "key": "apiKey", "value": "<your-api-key>", "type": "default", "enabled": true },
    { "key": "access_token", "value": "{{login_token}}", "type": "secret", "enabled": true }
  ],
  "item": [{ "request": {
    "header": [{ "key": "Authorization", "value": "Bearer {{access_token}}" }],
    "body": { "mode": "raw", "raw": "{\n  \"username\": \"{{username}}\",\n  \"password\": \"{{password}}\"\n}" },
    "auth": { "type": "apikey", "apikey": [ { "key": "value", "value": "{{apiKey}}", "type": "string" } ] }
  } }]
}
`;
    expect(credentials('postman/example.postman_environment.json', placeholders)).toEqual([]);
  });

  it('finds credentials in an Insomnia export and none where it uses template tags', () => {
    const insomnia = `_type: export
__export_format: 4
resources:
  - _id: req_1
    _type: request
    name: Get cases
    url: "{{ _.base_url }}/cases"
    authentication:
      type: bearer
      token: KEEPOPENfakeInsomniaBearer0a1b2c3d4e5f
    headers:
      - name: X-Api-Key
        value: KEEPOPENfakeInsomniaHdr9f8e7d6c5b4a3
      - id: pair_0a1b2c
        name: Authorization
        value: Bearer KEEPOPENfakeInsomniaAuth0a9b8c7d6e5f
  - _id: req_2
    _type: request
    authentication:
      type: basic
      username: svc
      password: Kp0penInsomniaFake77
`;
    expect(credentials('insomnia/export.yaml', insomnia)).toEqual([
      '10 request-collection-bearer-token',
      '13 credential-name-value-pair-yaml',
      '16 credential-name-value-pair-yaml',
      '22 password-in-config-file-unquoted',
    ]);
    const templated = `_type: export
resources:
  - _id: req_1
    authentication:
      type: bearer
      token: "{{ _.token }}"
    headers:
      - name: X-Api-Key
        value: "{{ _.api_key }}"
      - name: Authorization
        value: Bearer {% response 'body', 'req_login', 'b64::JC5hY2Nlc3NfdG9rZW4=::46b', 'never', 60 %}
  - _id: req_2
    authentication:
      type: basic
      username: "{{ _.user }}"
      password: "{{ _.password }}"
`;
    expect(credentials('insomnia/export.yaml', templated)).toEqual([]);
  });

  it('finds headers and variables in .http files and Bruno requests', () => {
    const http = `@baseUrl = https://records-api.example.org
@password = Kp0penHttpVarPw88

### list
GET {{baseUrl}}/cases
Authorization: Bearer KEEPOPENfakeHttpBearer0a1b2c3d4e5f6a7b

### basic
GET {{baseUrl}}/me
Authorization: Basic svc:Kp0penHttpBasic55
`;
    expect(credentials('requests/cases.http', http)).toEqual([
      '2 request-file-variable-credential',
      '6 request-file-auth-header',
      '10 request-file-basic-auth-plain',
    ]);
    const httpRefs = `@token = {{login.response.body.$.access_token}}
@password = {{$dotenv RECORDS_PASSWORD}}
GET https://records-api.example.org/me
Authorization: Bearer {{token}}
Authorization: Basic {{user}}:{{password}}
`;
    expect(credentials('requests/cases.http', httpRefs)).toEqual([]);
    const bru = `auth:basic {
  username: svc
  password: Kp0penBrunoBasicFake1
}
`;
    expect(credentials('collections/login.bru', bru)).toEqual(['3 request-file-variable-credential']);
    expect(credentials('collections/login.bru', 'auth:basic {\n  username: {{user}}\n  password: {{password}}\n}\nvars:secret [\n  password\n]\n')).toEqual([]);
  });
});

describe('Java and Spring configuration', () => {
  it('finds datasource, mail and keystore passwords in application.properties', () => {
    const props = `spring.datasource.url=jdbc:postgresql://db.internal:5432/cases
spring.datasource.username=cases
spring.datasource.password=Kp0penSpringFake24
spring.mail.password = KeepOpenMailFake#7
server.ssl.key-store=classpath:keystore.p12
server.ssl.key-store-password=Kp0penKeyStoreFake1
server.ssl.trust-store-password="Kp0penTrustFake3"
`;
    expect(credentials('src/main/resources/application.properties', props)).toEqual([
      '3 password-in-config-file-unquoted',
      '4 password-in-config-file-unquoted',
      '6 password-in-config-file-unquoted',
      '7 password-in-config-file',
    ]);
    const refs = `spring.datasource.password=\${DB_PASSWORD}
spring.mail.password=
server.ssl.key-store-password=\${KEYSTORE_PASSWORD:}
server.ssl.trust-store-password=changeit
spring.datasource.password=ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)
`;
    expect(credentials('src/main/resources/application.properties', refs)).toEqual([]);
  });

  it('finds keystore passwords in a Dockerfile however they are passed, and none when they come from secrets', () => {
    const dockerfile = `FROM eclipse-temurin:17-jre
ARG KEYSTORE_PASSWORD=Kp0penDockerKsFake1
ENV JAVA_OPTS="-Xmx512m -Djavax.net.ssl.trustStore=/app/trust.jks"
RUN keytool -importcert -noprompt -alias root -file root.crt -keystore /app/trust.jks -storepass Kp0penStorepassFake5
RUN openssl pkcs12 -export -in a.crt -inkey a.key -out a.p12 -passout pass:Kp0penPassoutFake7
ENTRYPOINT ["java", "-Djavax.net.ssl.keyStorePassword=Kp0penEntryFake9", "-jar", "/app/app.jar"]
`;
    expect(credentials('Dockerfile', dockerfile)).toEqual([
      '2 password-in-dockerfile',
      '4 keystore-password-flag',
      '5 keystore-password-flag',
      '6 password-in-jvm-system-property',
    ]);
    const fromSecrets = `FROM eclipse-temurin:17-jre
ARG KEYSTORE_PASSWORD
ENV JAVA_OPTS="-Djavax.net.ssl.keyStorePassword=\${KEYSTORE_PASSWORD}"
RUN keytool -importcert -noprompt -file root.crt -keystore $JAVA_HOME/lib/security/cacerts -storepass changeit
RUN --mount=type=secret,id=kspass keytool -genkeypair -keystore app.jks -storepass:file /run/secrets/kspass -keypass:env KEYPASS
RUN openssl pkcs12 -export -in a.crt -inkey a.key -out a.p12 -passout env:P12_PASSWORD
`;
    expect(credentials('Dockerfile', fromSecrets)).toEqual([]);
  });
});

describe('Ansible and Terraform', () => {
  it('finds plain connection and application passwords in Ansible vars, and no vaulted ones', () => {
    const vars = `---
ansible_user: deploy
ansible_password: "Kp0penAnsibleFake1"
ansible_become_pass: 'Kp0penAnsibleBecome2'
db_password: "Kp0penAnsibleDbFake4"
keycloak_admin_password: Kp0penAnsibleKcFake7
`;
    expect(credentials('group_vars/all/vars.yml', vars)).toEqual([
      '3 ansible-password-variable',
      '4 ansible-password-variable',
      '5 password-in-config-file',
      '6 password-in-config-file-unquoted',
    ]);
    const vaulted = `ansible_password: "{{ vault_ansible_password }}"
ansible_become_pass: "{{ lookup('env', 'BECOME_PASS') }}"
db_password: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
  6134333665353966363534333632666535333761666131620a663537646436643839616531643561
mysql_root_password: "%(MYSQL_ROOT_PASSWORD)s"
keycloak_admin_password: changeme
`;
    expect(credentials('group_vars/all/vars.yml', vaulted)).toEqual([]);
  });

  it('finds passwords in prod.tfvars and none in a template of it', () => {
    const tfvars = `location        = "uksouth"
admin_username  = "azureadmin"
admin_password  = "Kp0penTfvarsAdmFake1!"
db_password     = "Kp0penTfvarsDbFake2"
`;
    expect(credentials('env/prod.tfvars', tfvars)).toEqual(['3 password-in-config-file', '4 password-in-config-file']);
    const template = `admin_password = ""
db_password    = "<password>"
api_key        = "REPLACE_ME"
`;
    expect(credentials('env/prod.tfvars', template)).toEqual([]);
  });
});

describe('framework master keys', () => {
  it('finds the Airflow fernet key in airflow.cfg and the environment', () => {
    const cfg = `[core]
dags_folder = /opt/airflow/dags
fernet_key = ${FERNET}
`;
    expect(credentials('airflow/airflow.cfg', cfg)).toEqual(['3 fernet-key']);
    expect(credentials('docker-compose.yaml', `x-airflow-common:\n  environment:\n    AIRFLOW__CORE__FERNET_KEY: '${FERNET}'\n`)).toEqual(['3 fernet-key']);
    expect(credentials('airflow/airflow.cfg', '[core]\nfernet_key = {FERNET_KEY}\n# fernet_key =\n')).toEqual([]);
    expect(credentials('.env', 'AIRFLOW__CORE__FERNET_KEY=\nAIRFLOW__CORE__FERNET_KEY_CMD=cat /run/secrets/fernet\n')).toEqual([]);
  });
});

describe('Azure Storage in code', () => {
  it('finds the account key however a Python upload script passes it, and the SAS signature', () => {
    const upload = `from azure.storage.blob import BlobServiceClient
ACCOUNT_NAME = "keepopenfakestore"
key = "${AZURE_KEY}"
svc = BlobServiceClient(account_url="https://keepopenfakestore.blob.core.windows.net", credential="${AZURE_KEY}")
conn = "DefaultEndpointsProtocol=https;AccountName=keepopenfakestore;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net"
url = "https://keepopenfakestore.blob.core.windows.net/exports/x.csv?sp=r&st=2024-01-01T00:00:00Z&se=2030-01-01T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=KEEPOPENfakeSig0a1b2c3d4e5f6a7b8c9d0e1f2a3b4%3D"
`;
    expect(credentials('scripts/upload.py', upload)).toEqual([
      '3 azure-storage-account-key-in-storage-code',
      '4 azure-storage-account-key',
      '5 azure-storage-account-key',
      '6 azure-sas-token',
    ]);
    const safe = `import os
from azure.storage.blob import BlobServiceClient
ACCOUNT_KEY = os.environ["AZURE_STORAGE_KEY"]
svc = BlobServiceClient(account_url="https://keepopen.blob.core.windows.net", credential=DefaultAzureCredential())
dev = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
sas = "https://x.blob.core.windows.net/c/b?sv=2022-11-02&se=2024-01-01&sp=r&sig=<signature>"
`;
    expect(credentials('scripts/upload.py', safe)).toEqual([]);
  });

  it('finds the key given to StorageSharedKeyCredential in C#', () => {
    expect(credentials('src/BlobUploader.cs', `var cred = new StorageSharedKeyCredential("keepopenfakestore", "${AZURE_KEY}");\n`)).toEqual(['1 azure-storage-account-key']);
    expect(credentials('src/BlobUploader.cs', 'var cred = new StorageSharedKeyCredential(accountName, accountKey);\n')).toEqual([]);
  });
});

describe('shell scripts', () => {
  it('finds exported keys, curl headers and user:password, keytool passwords and plain assignments', () => {
    const script = `#!/usr/bin/env bash
set -euo pipefail
export API_KEY=KEEPOPENfakeShellApiKey0a1b2c3d4e5f6
PASSWORD='Kp0penShellPwFake2'
curl -sS -H "x-api-key: KEEPOPENfakeShellHdr0a1b2c3d4e5f6a7b" https://api.example.org/v1/cases
curl -u deploy:Kp0penShellCurlFake4 https://nexus.example.org/
keytool -importkeystore -srckeystore a.p12 -srcstorepass Kp0penShellSrcFake6 -destkeystore a.jks
password=Kp0penShellLowerFake8
`;
    expect(credentials('scripts/deploy.sh', script)).toEqual([
      '3 generic-secret-assignment-unquoted',
      '4 password-in-code',
      '5 curl-authorization-header',
      '6 curl-basic-auth-password',
      '7 keystore-password-flag',
      '8 password-in-shell-script',
    ]);
    const safe = `#!/usr/bin/env bash
export API_KEY="\${API_KEY:?set API_KEY}"
export DB_PASSWORD=$(vault kv get -field=password secret/db)
PASSWORD="$1"
curl -sS -H "x-api-key: \${API_KEY}" https://api.example.org/v1/cases
curl -u "$NEXUS_USER:$NEXUS_PASSWORD" https://nexus.example.org/
keytool -importkeystore -srckeystore a.p12 -srcstorepass "$P12_PASS" -deststorepass "$JKS_PASS" -destkeystore a.jks
password=$(cat /run/secrets/pw)
read -rsp "Password: " password
`;
    expect(credentials('scripts/deploy.sh', safe)).toEqual([]);
  });
});

describe('GitHub OAuth App and GitHub App client secrets', () => {
  it('finds the client secret in github-app.json, .env and YAML', () => {
    const app = `{
  "app_id": 123456,
  "client_id": "Iv1.0a1b2c3d4e5f6a7b",
  "client_secret": "0f1e2d3c4b5a69788796a5b4c3d2e1f0fa4e5d6c"
}
`;
    expect(credentials('github-app.json', app)).toEqual(['4 github-oauth-client-secret']);
    expect(credentials('.env', 'GITHUB_CLIENT_ID=Ov23liKeepOpenFake00\nGITHUB_CLIENT_SECRET=9e8d7c6b5a4f3e2d1c0bfa0e1d2c3b4a5f6e7d8c\n')).toEqual(['2 github-oauth-client-secret']);
    expect(credentials('config/auth.yml', 'github:\n  clientId: Iv23liKeepOpenFake00\n  clientSecret: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b\n')).toEqual(['3 github-oauth-client-secret']);
  });

  it('finds nothing where the secret is a reference and the 40-hex values are commits', () => {
    const refs = `{
  "client_id": "Iv1.0a1b2c3d4e5f6a7b",
  "client_secret": "\${GITHUB_CLIENT_SECRET}",
  "head_sha": "0f1e2d3c4b5a69788796a5b4c3d2e1f0fa4e5d6c"
}
`;
    expect(credentials('github-app.json', refs)).toEqual([]);
    expect(credentials('.env.example', 'GITHUB_CLIENT_ID=\nGITHUB_CLIENT_SECRET=\n')).toEqual([]);
  });
});
