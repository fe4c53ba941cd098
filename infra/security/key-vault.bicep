// Key Vault (RBAC) with every secret the app reads through Key Vault references, and the Postgres
// administrator's password, which only the deployer reads (function-app.bicep grants the app its
// secrets one by one). A secret whose value is not given here is left as it is, so a redeploy
// without it does not erase it.

param location string
param tags object
param name string

@description('The deployer (azd sets AZURE_PRINCIPAL_ID): may read and write secrets, for the hooks and for azd to read the database passwords back on the next provision.')
param deployerPrincipalId string
param deployerPrincipalType string

@description('Private networking: only the private endpoint (and the addresses below) reach the vault.')
param privateNetworking bool
@description('Public addresses let through the vault\'s firewall when private: the deployer\'s, for azd and the hooks.')
param allowedIpAddresses string[]

@secure()
param postgresAdminPassword string
@secure()
param postgresAppPassword string
@secure()
param postgresConnectionString string
@secure()
@description('The same login straight to Postgres (5432), for the app\'s LISTEN session.')
param postgresListenConnectionString string
@secure()
@description('Empty: leave auth-signing-key as it is (or absent).')
param authSigningKey string
@secure()
@description('Empty: leave gemini-api-key as it is (or absent).')
param geminiApiKey string
@secure()
@description('Empty: leave vertex-credentials as it is (or absent).')
param vertexCredentialsJson string
param encryptionKeyId string
@secure()
@description('Web Push\'s VAPID private key (base64url); empty: leave vapid-private-key as it is (or absent).')
param vapidPrivateKey string
@secure()
@description('Base64 of 32 random bytes; empty: leave encryption-key-<id> as it is.')
param encryptionKey string

var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // A deleted vault or secret can be recovered for the retention, and nobody can purge it sooner.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: privateNetworking
      ? { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: map(allowedIpAddresses, address => { value: address }) }
      : { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource deployerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, secretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource adminPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-admin-password'
  properties: { value: postgresAdminPassword, contentType: 'password' }
}

resource appPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-app-password'
  properties: { value: postgresAppPassword, contentType: 'password' }
}

resource connectionString 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-connection-string'
  properties: { value: postgresConnectionString, contentType: 'Npgsql connection string' }
}

resource listenConnectionString 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-listen-connection-string'
  properties: { value: postgresListenConnectionString, contentType: 'Npgsql connection string' }
}

resource signingKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(authSigningKey)) {
  parent: vault
  name: 'auth-signing-key'
  properties: { value: authSigningKey, contentType: 'HS256 secret' }
}

resource geminiKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(geminiApiKey)) {
  parent: vault
  name: 'gemini-api-key'
  properties: { value: geminiApiKey, contentType: 'Gemini Developer API key' }
}

resource vertexCredentials 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(vertexCredentialsJson)) {
  parent: vault
  name: 'vertex-credentials'
  properties: { value: vertexCredentialsJson, contentType: 'application/json' }
}

resource vapidKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(vapidPrivateKey)) {
  parent: vault
  name: 'vapid-private-key'
  properties: { value: vapidPrivateKey, contentType: 'VAPID private key (P-256, base64url)' }
}

resource sealingKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(encryptionKey)) {
  parent: vault
  name: 'encryption-key-${encryptionKeyId}'
  properties: { value: encryptionKey, contentType: 'AES-256 key, base64' }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
