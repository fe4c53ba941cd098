// The function app's settings, as one pure function of what the deployment knows. function-app.bicep
// applies its result to the site; the tests (BicepTemplateTests) evaluate the same function with
// `bicep build-params` and start the app's real option validation on what comes out, so a setting
// the app requires at start cannot be missing from Azure without a test failing.

@export()
@description('How callers prove who they are (docs/SECURITY.md). Empty strings for what a mode does not use.')
type authInput = {
  @description('SupabaseHs256: HS256 secret from Key Vault. Oidc: keys from the authority. Jwks: a bare JWKS URL. AppServiceAuth: Easy Auth in front.')
  mode: 'SupabaseHs256' | 'Oidc' | 'Jwks' | 'AppServiceAuth'
  issuer: string
  audience: string
  authority: string
  jwksUri: string
}

@export()
@description('Which Gemini endpoint the worker calls, and with which credentials.')
type geminiInput = {
  @description('Developer: Gemini Developer API key from Key Vault. Vertex: Vertex AI with a service-account key from Key Vault, or keyless with workload identity federation.')
  backend: 'Developer' | 'Vertex'
  model: string
  @description('Developer only: whether the server has its own key (the gemini-api-key secret); without it every create must bring X-Gemini-Api-Key.')
  hasServerKey: bool
  vertexProjectId: string
  vertexLocation: string
  @description('Vertex only: ServiceAccountKey (vertex-credentials secret) or WorkloadIdentity (the app\'s managed identity, exchanged at Google STS).')
  vertexCredentials: 'ServiceAccountKey' | 'WorkloadIdentity'
  @description('WorkloadIdentity only: //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>.')
  workloadIdentityProvider: string
  @description('WorkloadIdentity only: the Entra application ID URI the managed identity asks a token for (the provider\'s allowed audience).')
  azureAppIdUri: string
  @description('WorkloadIdentity only, optional: a Google service account to impersonate.')
  serviceAccountEmail: string
}

@export()
@description('Web Push (VAPID), off while vapidPublicKey is empty; the private key is the vapid-private-key secret.')
type pushInput = {
  @description('mailto: or https: contact the push services may reach (Push__VapidSubject).')
  vapidSubject: string
  vapidPublicKey: string
  @description('The page\'s https address: pushes are then Declarative Web Push messages opening it on the generation; empty: {id, status} only.')
  notificationUrl: string
}

@export()
type settingsInput = {
  storageAccountName: string
  @description('https://<vault>.vault.azure.net/')
  keyVaultUri: string
  applicationInsightsConnectionString: string
  queueName: string
  imageContainer: string
  @description('The container the phone uploads references to (Uploads__Container).')
  uploadContainer: string
  auth: authInput
  gemini: geminiInput
  @description('Ids of the AES keys sealing personal Gemini keys; the first seals, all open (secrets encryption-key-<id>).')
  encryptionKeyIds: string[]
  @description('The app signs in to Postgres with its managed identity (Postgres__EntraAuthentication); the connection strings then carry no password.')
  postgresEntraAuthentication: bool
  cleanupSchedule: string
  repairSchedule: string
  push: pushInput
}

@export()
@description('A Key Vault reference the platform resolves with the app\'s identity (versionless: follows rotation).')
func keyVaultReference(keyVaultUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretName}/)'

func authSettings(auth authInput, keyVaultUri string) object =>
  auth.mode == 'AppServiceAuth'
    ? { Auth__Mode: 'AppServiceAuth' }
    : union(
        { Auth__Mode: 'Jwt', Auth__Issuer: auth.issuer, Auth__Audience: auth.audience },
        auth.mode == 'SupabaseHs256' ? { Auth__SigningKey: keyVaultReference(keyVaultUri, 'auth-signing-key') } : {},
        auth.mode == 'Oidc' ? { Auth__Authority: auth.authority } : {},
        auth.mode == 'Jwks' ? { Auth__JwksUri: auth.jwksUri } : {})

func geminiSettings(gemini geminiInput, keyVaultUri string) object =>
  gemini.backend == 'Developer'
    ? union(
        { Gemini__Backend: 'Developer', Gemini__Model: gemini.model },
        gemini.hasServerKey ? { Gemini__ApiKey: keyVaultReference(keyVaultUri, 'gemini-api-key') } : {})
    : union(
        {
          Gemini__Backend: 'Vertex'
          Gemini__Model: gemini.model
          Gemini__VertexProjectId: gemini.vertexProjectId
          Gemini__VertexLocation: gemini.vertexLocation
        },
        gemini.vertexCredentials == 'ServiceAccountKey'
          ? { Gemini__VertexCredentialsJson: keyVaultReference(keyVaultUri, 'vertex-credentials') }
          : union(
              {
                Gemini__VertexWorkloadIdentityProvider: gemini.workloadIdentityProvider
                Gemini__VertexAzureAppIdUri: gemini.azureAppIdUri
              },
              empty(gemini.serviceAccountEmail) ? {} : { Gemini__VertexServiceAccountEmail: gemini.serviceAccountEmail }))

func encryptionKeySettings(ids string[], keyVaultUri string) object =>
  union(
    toObject(ids, id => 'Secrets__EncryptionKeys__${id}', id => keyVaultReference(keyVaultUri, 'encryption-key-${id}')),
    { Secrets__ActiveKeyId: ids[0] })

func pushSettings(push pushInput, keyVaultUri string) object =>
  empty(push.vapidPublicKey)
    ? {}
    : union(
        {
          Push__VapidSubject: push.vapidSubject
          Push__VapidPublicKey: push.vapidPublicKey
          Push__VapidPrivateKey: keyVaultReference(keyVaultUri, 'vapid-private-key')
        },
        empty(push.notificationUrl) ? {} : { Push__NotificationUrl: push.notificationUrl })

@export()
@description('Every app setting NanoBanana reads in Azure (docs/CONFIGURATION.md), secrets as Key Vault references.')
func appSettings(input settingsInput) object =>
  union(
    {
      // Storage by identity: the host and the app's own clients read the account name, no keys.
      AzureWebJobsStorage__accountName: input.storageAccountName
      APPLICATIONINSIGHTS_CONNECTION_STRING: input.applicationInsightsConnectionString
      // The connection string goes through PgBouncer (6432) as the least-privilege login; it holds
      // that login's password, so it lives in Key Vault as a whole.
      Postgres__ConnectionString: keyVaultReference(input.keyVaultUri, 'postgres-connection-string')
      // The one LISTEN session per instance (long-polls, notifications) needs a session of its own,
      // which PgBouncer's transaction mode cannot give: direct, port 5432.
      Postgres__ListenConnectionString: keyVaultReference(input.keyVaultUri, 'postgres-listen-connection-string')
      Storage__QueueName: input.queueName
      Storage__ImageContainer: input.imageContainer
      Uploads__Container: input.uploadContainer
      Maintenance__CleanupSchedule: input.cleanupSchedule
      Maintenance__RepairSchedule: input.repairSchedule
    },
    input.postgresEntraAuthentication ? { Postgres__EntraAuthentication: 'true' } : {},
    authSettings(input.auth, input.keyVaultUri),
    geminiSettings(input.gemini, input.keyVaultUri),
    encryptionKeySettings(input.encryptionKeyIds, input.keyVaultUri),
    pushSettings(input.push, input.keyVaultUri))

@export()
@description('The Key Vault secrets the settings reference: the only ones the app\'s identity may read (function-app.bicep grants each on its own). From the inputs that decide them alone, so the names are known before anything is deployed.')
func appSecretNames(auth authInput, gemini geminiInput, encryptionKeyIds string[], push pushInput) string[] =>
  map(
    filter(
      items(appSettings({
        storageAccountName: ''
        keyVaultUri: 'https://vault/'
        applicationInsightsConnectionString: ''
        queueName: ''
        imageContainer: ''
        uploadContainer: ''
        auth: auth
        gemini: gemini
        encryptionKeyIds: encryptionKeyIds
        postgresEntraAuthentication: false
        cleanupSchedule: ''
        repairSchedule: ''
        push: push
      })),
      setting => startsWith(setting.value, '@Microsoft.KeyVault(')),
    setting => split(split(setting.value, 'secrets/')[1], '/')[0])
