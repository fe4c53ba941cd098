// The storage account the host and the app use by identity: shared keys are off, so nothing can
// hold a key to it. It carries the app's queues (storage-names.bicep), the image container and the
// container Flex Consumption deploys the app package from.

import { appQueueNames } from 'storage-names.bicep'

param location string
param tags object
param name string
param deploymentContainerName string
param imageContainerName string
@description('The container phones upload references to with a write-only SAS (POST /api/uploads).')
param uploadContainerName string
@description('Origins a browser may PUT upload blocks from (the blob service\'s CORS); empty: none.')
param uploadCorsOrigins string[] = []
param queueName string

@description('The deployer (azd: AZURE_PRINCIPAL_ID) may write blobs, for scripts/import-original.sh; empty for none.')
param deployerPrincipalId string
param deployerPrincipalType string

@description('Private networking: only the private endpoints (and the addresses below) reach the account.')
param privateNetworking bool
@description('Public addresses let through the firewall when private: the deployer\'s, for azd deploy\'s package upload.')
param allowedIpAddresses string[]
@description('Days a deleted blob or container can be restored (soft delete).')
@minValue(1)
@maxValue(365)
param softDeleteDays int

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: privateNetworking
      ? { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: map(allowedIpAddresses, address => { value: address, action: 'Allow' }) }
      : { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

// Soft delete: an image or container deleted by mistake (or by an attacker holding the app's
// identity) can be restored for softDeleteDays; then it is gone for good.
resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: softDeleteDays }
    containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays }
    // Put Block and Put Block List from the page's origin, with the SAS in the URL (no credentials).
    cors: {
      corsRules: empty(uploadCorsOrigins) ? [] : [
        {
          allowedOrigins: uploadCorsOrigins
          allowedMethods: ['PUT', 'OPTIONS']
          allowedHeaders: ['content-type', 'content-length', 'x-ms-blob-type', 'x-ms-blob-content-type', 'x-ms-version', 'x-ms-date', 'x-ms-client-request-id']
          exposedHeaders: ['etag', 'x-ms-request-id', 'x-ms-version', 'x-ms-content-crc64', 'content-md5']
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainerName
}

resource imageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: imageContainerName
}

resource uploadContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: uploadContainerName
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource appQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for name in appQueueNames(queueName): {
  parent: queues
  name: name
}]

var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor

resource deployerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage.id, deployerPrincipalId, blobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
