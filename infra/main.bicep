// NanoBanana in Azure: `azd up` provisions this and deploys NanoBanana.Functions (azure.yaml).
// One resource group with the function app (Flex Consumption), its storage account, PostgreSQL
// Flexible Server with PgBouncer, Key Vault, Application Insights with alerts and a workbook; in
// production a virtual network with private endpoints for Postgres, Storage and Key Vault.
// docs/DEPLOY.md explains every parameter; main.parameters.json maps them to azd environment values.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string

@description('The deployer (azd: AZURE_PRINCIPAL_ID): may manage Key Vault secrets and write image blobs (for the import).')
param principalId string = ''
@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

// Authentication (docs/SECURITY.md).
@allowed(['SupabaseHs256', 'Oidc', 'Jwks', 'AppServiceAuth'])
param authMode string = 'SupabaseHs256'
@description('Jwt modes: accepted iss, e.g. https://<project>.supabase.co/auth/v1.')
param authIssuer string = ''
@description('Jwt modes: accepted aud (Supabase: authenticated).')
param authAudience string = 'authenticated'
@description('Oidc: the authority whose /.well-known/openid-configuration lists the signing keys.')
param authAuthority string = ''
@description('Jwks: a bare JWKS URL (Supabase asymmetric keys: https://<project>.supabase.co/auth/v1/.well-known/jwks.json).')
param authJwksUri string = ''
@secure()
@description('SupabaseHs256: the project\'s JWT secret, written to Key Vault (auth-signing-key). Empty: keep the one in the vault.')
param authSigningKey string = ''
@description('AppServiceAuth: client id of the Entra app registration Easy Auth validates tokens for.')
param appServiceAuthClientId string = ''
@description('AppServiceAuth: OpenID issuer, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0.')
param appServiceAuthIssuer string = ''

// Gemini.
@allowed(['Developer', 'Vertex'])
param geminiBackend string = 'Developer'
param geminiModel string = 'gemini-3.1-flash-image'
@description('Developer: the server has its own key (gemini-api-key in Key Vault). false: every create must bring X-Gemini-Api-Key. A string, as azd environment values are.')
@allowed(['true', 'false'])
param geminiServerKey string = 'true'
@secure()
@description('Developer: the server\'s Gemini API key, written to Key Vault (gemini-api-key). Empty: keep the one in the vault.')
param geminiApiKey string = ''
param vertexProjectId string = ''
param vertexLocation string = 'global'
@allowed(['ServiceAccountKey', 'WorkloadIdentity'])
param vertexCredentials string = 'ServiceAccountKey'
@secure()
@description('Vertex ServiceAccountKey: the key file\'s JSON, written to Key Vault (vertex-credentials). Empty: keep the one in the vault.')
param vertexCredentialsJson string = ''
@description('Vertex WorkloadIdentity: //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>.')
param vertexWorkloadIdentityProvider string = ''
@description('Vertex WorkloadIdentity: the Entra application ID URI the app\'s managed identity gets a token for.')
param vertexAzureAppIdUri string = 'api://AzureADTokenExchange'
@description('Vertex WorkloadIdentity, optional: a Google service account to impersonate.')
param vertexServiceAccountEmail string = ''

@description('Comma-separated browser origins allowed to call the API (CORS), e.g. https://app.example.com. Empty: none.')
param allowedOrigins string = ''

// Web Push (optional: off while the public key is empty; docs/DEPLOY.md "Push and webhooks").
@description('VAPID public key (base64url, 65 bytes: `npx web-push generate-vapid-keys`). Empty: no Web Push.')
param pushVapidPublicKey string = ''
@secure()
@description('VAPID private key, written to Key Vault (vapid-private-key). Empty: keep the one in the vault.')
param pushVapidPrivateKey string = ''
@description('Contact for the push services: mailto: or https:.')
param pushVapidSubject string = ''
@description('The page\'s https address (Push__NotificationUrl): pushes become Declarative Web Push messages that open it on the generation. Empty: pushes carry {id, status} only.')
param pushNotificationUrl string = ''

// Network and data protection (docs/DEPLOY.md "Network").
@description('production or development: what privateNetworking auto means.')
@allowed(['production', 'development'])
param environmentType string = 'production'
@description('auto: on for production. true: the app in a virtual network, Postgres, Storage and Key Vault at private endpoints, no all-of-Azure firewall rule. false: public endpoints (development). A string, as azd environment values are.')
@allowed(['auto', 'true', 'false'])
param privateNetworking string = 'auto'
@description('With private networking: the deployer\'s public IPv4 address, let through the Storage and Key Vault firewalls for azd deploy and the hooks (the preprovision hook finds it). Empty: none.')
param deployerIpAddress string = ''
@description('Days a deleted blob (an image, the app package) can be restored.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 7

// Secrets the deployment makes up (azd: secretOrRandomPassword, and the preprovision hook).
@secure()
param postgresAdminPassword string
@secure()
param postgresAppPassword string
@description('Id of the active key sealing personal Gemini keys.')
param encryptionKeyId string = 'k1'
@secure()
@description('Base64 of 32 random bytes (the preprovision hook makes one). Empty: keep encryption-key-<id> in the vault.')
param encryptionKey string = ''
@description('Comma-separated ids of earlier keys still needed to open keys sealed before a rotation.')
param retainedEncryptionKeyIds string = ''

@description('true: the app signs in to Postgres with its managed identity (an Entra ID token, no password), as the login nanobanana_app_entra the postprovision hook creates; the deployer becomes the server\'s Entra administrator. false: the password login nanobanana_app. A string, as azd environment values are.')
@allowed(['true', 'false'])
param postgresEntraAuthentication string = 'false'
@description('With Entra authentication: the deployer\'s name as the server\'s Entra administrator (a user\'s UPN, a service principal\'s display name); the hook signs in with it.')
param postgresEntraAdminName string = ''

// Sizing.
@description('General Purpose or Memory Optimized (built-in PgBouncer does not run on Burstable).')
param postgresSkuName string = 'Standard_D2ds_v5'
@allowed(['GeneralPurpose', 'MemoryOptimized'])
param postgresTier string = 'GeneralPurpose'
param postgresVersion string = '16'
param postgresStorageGB int = 32
@description('Npgsql pool per app instance (Maximum Pool Size).')
param appPoolSize int = 10
@description('PgBouncer server connections shared by all instances.')
param pgBouncerPoolSize int = 40
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@description('HTTP requests one instance serves at once before Flex Consumption adds an instance. Set, not left to the platform\'s default (which follows the memory size): a long-poll (Prefer: wait) holds one while it waits, and the app caps its waits per instance below this (docs/DEPLOY.md "Sizing").')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 32

// Monitoring.
param alertEmail string = ''
param successRatePercent int = 90
param queueAgeMinutes int = 5
param quotaFailures int = 10
@description('Minutes an instance\'s liveness session must report down (nanobanana.liveness.session_up 0) before the alert fires.')
@minValue(2)
@maxValue(30)
param livenessDownMinutes int = 5
@description('Claims of dead workers handed back (nanobanana.liveness.abandoned_claims) within 15 minutes above which the alert fires.')
param abandonedClaims int = 10

param cleanupSchedule string = '0 0 2 * * *'
param repairSchedule string = '*/30 * * * * *'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var databaseName = 'nanobanana'
var adminLogin = 'nanobanana_admin'
// The least-privilege login (docs/SECURITY.md); the postprovision hook creates it.
var appLogin = 'nanobanana_app'
// With Entra authentication instead: a login mapped to the function app's managed identity (the postprovision hook creates it).
var entraAppLogin = 'nanobanana_app_entra'
var useEntra = postgresEntraAuthentication == 'true'
var databaseLogin = useEntra ? entraAppLogin : appLogin
// No password in the connection strings when the app signs in with a token.
var passwordPart = useEntra ? '' : 'Password=${postgresAppPassword};'
var queueName = 'generations'
var imageContainer = 'generation-images'
var uploadContainer = 'reference-uploads'
var isPrivate = privateNetworking == 'true' || (privateNetworking == 'auto' && environmentType == 'production')
var firewallExceptions = empty(deployerIpAddress) ? [] : [deployerIpAddress]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

import { appSecretNames } from 'app/app-settings.bicep'

var auth = {
  mode: authMode
  issuer: authIssuer
  audience: authAudience
  authority: authAuthority
  jwksUri: authJwksUri
}
var gemini = {
  backend: geminiBackend
  model: geminiModel
  hasServerKey: geminiServerKey == 'true'
  vertexProjectId: vertexProjectId
  vertexLocation: vertexLocation
  vertexCredentials: vertexCredentials
  workloadIdentityProvider: vertexWorkloadIdentityProvider
  azureAppIdUri: vertexAzureAppIdUri
  serviceAccountEmail: vertexServiceAccountEmail
}
var push = {
  vapidSubject: pushVapidSubject
  vapidPublicKey: pushVapidPublicKey
  notificationUrl: pushNotificationUrl
}
var encryptionKeyIds = concat([encryptionKeyId], empty(retainedEncryptionKeyIds) ? [] : map(split(retainedEncryptionKeyIds, ','), id => trim(id)))

module monitoring 'monitoring/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module storage 'data/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
    deploymentContainerName: deploymentContainerName
    imageContainerName: imageContainer
    uploadContainerName: uploadContainer
    // A page uploads references straight to Blob Storage (POST /api/uploads): the same origins as the API's CORS.
    uploadCorsOrigins: empty(allowedOrigins) ? [] : map(split(allowedOrigins, ','), origin => trim(origin))
    queueName: queueName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    privateNetworking: isPrivate
    allowedIpAddresses: firewallExceptions
    softDeleteDays: blobSoftDeleteDays
  }
}

module postgres 'data/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'psql-${resourceToken}'
    databaseName: databaseName
    administratorLogin: adminLogin
    administratorPassword: postgresAdminPassword
    skuName: postgresSkuName
    tier: postgresTier
    version: postgresVersion
    storageSizeGB: postgresStorageGB
    pgBouncerPoolSize: pgBouncerPoolSize
    privateNetworking: isPrivate
    entraAdministrator: useEntra ? { principalId: principalId, principalType: principalType, principalName: postgresEntraAdminName } : null
  }
}

module keyVault 'security/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'kv-${resourceToken}'
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    privateNetworking: isPrivate
    allowedIpAddresses: firewallExceptions
    postgresAdminPassword: postgresAdminPassword
    postgresAppPassword: postgresAppPassword
    // Through PgBouncer (6432, transaction pooling): no session state survives a transaction, and
    // Npgsql must not reset sessions it does not own. The pool stays small: every instance has one.
    // Auto-prepared statements skip Postgres' parse and plan on every call (half its CPU per poll in
    // docs/PERFORMANCE.md); PgBouncer carries them across its server connections (max_prepared_statements).
    postgresConnectionString: 'Host=${postgres.outputs.host};Port=6432;Database=${databaseName};Username=${databaseLogin};${passwordPart}SSL Mode=VerifyFull;Maximum Pool Size=${appPoolSize};No Reset On Close=true;Max Auto Prepare=20'
    // One LISTEN session per instance (long-polls): a session PgBouncer's transaction mode cannot hold, so direct.
    postgresListenConnectionString: 'Host=${postgres.outputs.host};Port=5432;Database=${databaseName};Username=${databaseLogin};${passwordPart}SSL Mode=VerifyFull'
    authSigningKey: authMode == 'SupabaseHs256' ? authSigningKey : ''
    geminiApiKey: geminiBackend == 'Developer' ? geminiApiKey : ''
    vertexCredentialsJson: geminiBackend == 'Vertex' && vertexCredentials == 'ServiceAccountKey' ? vertexCredentialsJson : ''
    encryptionKeyId: encryptionKeyId
    encryptionKey: encryptionKey
    vapidPrivateKey: empty(pushVapidPublicKey) ? '' : pushVapidPrivateKey
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    location: location
    tags: tags
    planName: 'plan-${resourceToken}'
    name: functionAppName
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    keyVaultName: keyVault.outputs.name
    allowedOrigins: empty(allowedOrigins) ? [] : map(split(allowedOrigins, ','), origin => trim(origin))
    appServiceAuthClientId: appServiceAuthClientId
    appServiceAuthIssuer: appServiceAuthIssuer
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    readableSecretNames: appSecretNames(auth, gemini, encryptionKeyIds, push)
    virtualNetworkSubnetId: isPrivate ? network!.outputs.appSubnetId : ''
    settings: {
      storageAccountName: storage.outputs.name
      keyVaultUri: keyVault.outputs.uri
      applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
      queueName: queueName
      imageContainer: imageContainer
      uploadContainer: uploadContainer
      auth: auth
      gemini: gemini
      encryptionKeyIds: encryptionKeyIds
      postgresEntraAuthentication: useEntra
      cleanupSchedule: cleanupSchedule
      repairSchedule: repairSchedule
      push: push
    }
  }
}

module network 'network/network.bicep' = if (isPrivate) {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'vnet-${resourceToken}'
    postgresServerId: postgres.outputs.id
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
  }
}

module alerts 'monitoring/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    functionAppHostName: functionApp.outputs.hostName
    alertEmail: alertEmail
    successRatePercent: successRatePercent
    queueAgeMinutes: queueAgeMinutes
    quotaFailures: quotaFailures
    livenessDownMinutes: livenessDownMinutes
    abandonedClaims: abandonedClaims
  }
}

module workbook 'monitoring/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    environmentName: environmentName
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    postgresServerId: postgres.outputs.id
    storageAccountId: storage.outputs.id
  }
}

// Read by azd (into .azure/<env>/.env) and by the hooks and scripts.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output NANOBANANA_API_URL string = 'https://${functionApp.outputs.hostName}/api'
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_DATABASE string = postgres.outputs.databaseName
output POSTGRES_ADMIN_LOGIN string = adminLogin
output POSTGRES_APP_LOGIN string = appLogin
output POSTGRES_ENTRA_AUTH bool = useEntra
output POSTGRES_ENTRA_ADMIN string = postgresEntraAdminName
output POSTGRES_ENTRA_APP_LOGIN string = entraAppLogin
output AZURE_FUNCTION_APP_PRINCIPAL_ID string = functionApp.outputs.principalId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output NANOBANANA_PRIVATE_NETWORKING bool = isPrivate
