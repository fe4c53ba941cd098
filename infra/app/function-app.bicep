// The function app on the Flex Consumption plan (.NET 10 isolated), with a system-assigned identity
// that reaches Storage, the Key Vault secrets its settings reference and (for Vertex keyless) Google
// by role, never by key. Its settings come from app-settings.bicep. With private networking its
// outbound traffic goes through a virtual network to the services' private endpoints.

import { appSettings, settingsInput } from 'app-settings.bicep'

param location string
param tags object
param planName string
param name string
param storageAccountName string
param deploymentContainerName string
param keyVaultName string
param settings settingsInput
@description('The secrets the settings reference (app-settings.bicep appSecretNames): the app may read these and no other.')
param readableSecretNames string[]

@description('Origins allowed to call the API from a browser (CORS); empty for none.')
param allowedOrigins string[]

@description('Easy Auth (Auth__Mode AppServiceAuth): the Entra app registration\'s client id; empty for the other modes.')
param appServiceAuthClientId string
@description('Easy Auth: the OpenID issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0.')
param appServiceAuthIssuer string

@description('Flex Consumption scale-out limit (40-1000). Each instance holds up to Maximum Pool Size database connections.')
param maximumInstanceCount int
@allowed([512, 2048, 4096])
param instanceMemoryMB int
@description('HTTP requests one instance serves at once before Flex scales out (long-polls hold one while they wait).')
param httpPerInstanceConcurrency int

@description('Private networking: the subnet (delegated to Microsoft.App/environments) the app\'s outbound traffic enters; empty for none.')
param virtualNetworkSubnetId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: { allowedOrigins: allowedOrigins, supportCredentials: false }
      appSettings: map(items(appSettings(settings)), setting => { name: setting.key, value: setting.value })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: { http: { perInstanceConcurrency: httpPerInstanceConcurrency } }
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
  }
}

// Easy Auth in front of the app: it validates Entra tokens and passes the user on in
// X-MS-CLIENT-PRINCIPAL. Anonymous requests still reach the app (health, the key-protected
// maintenance endpoints); the app itself answers 401 to any other call without a principal.
resource easyAuth 'Microsoft.Web/sites/config@2024-04-01' = if (settings.auth.mode == 'AppServiceAuth') {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: { clientId: appServiceAuthClientId, openIdIssuer: appServiceAuthIssuer }
        validation: { allowedAudiences: [appServiceAuthClientId, 'api://${appServiceAuthClientId}'] }
      }
    }
    login: { tokenStore: { enabled: false } }
  }
}

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // host leases and deployment package, the app's images
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // the trigger, the poison queue, the app's sends
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault references, one secret each
}

resource blobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, site.id, roles.blobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, site.id, roles.queueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Secret by secret, never the vault: the vault also keeps postgres-admin-password (for the
// deployment's migrations), which the app must not be able to read.

resource readableSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [for secretName in readableSecretNames: {
  parent: vault
  name: secretName
}]

resource secretsAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (secretName, i) in readableSecretNames: {
  name: guid(vault.id, secretName, site.id, roles.keyVaultSecretsUser)
  scope: readableSecrets[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
  }
}]

output name string = site.name
output id string = site.id
output hostName string = site.properties.defaultHostName
output principalId string = site.identity.principalId
