// The private network of a production deployment: the function app's outbound traffic enters a
// virtual network (Flex Consumption VNet integration, a subnet delegated to Microsoft.App/environments)
// and reaches Postgres, Storage and Key Vault at private endpoints in a second subnet. The private DNS
// zones make the services' usual host names resolve to those endpoints inside the network, so no
// connection string or setting changes.

param location string
param tags object
param name string
param postgresServerId string
param storageAccountId string
param keyVaultId string

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/16'] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: '10.40.1.0/24'
          delegations: [{ name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'private-endpoints'
        properties: { addressPrefix: '10.40.2.0/24', privateEndpointNetworkPolicies: 'Disabled' }
      }
    ]
  }
}

// One endpoint per service the app reaches, each with its zone (Azure's documented privatelink names).
var endpoints = [
  { service: 'postgres', groupId: 'postgresqlServer', targetId: postgresServerId, zone: 'privatelink.postgres.database.azure.com' }
  { service: 'blob', groupId: 'blob', targetId: storageAccountId, zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { service: 'queue', groupId: 'queue', targetId: storageAccountId, zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { service: 'vault', groupId: 'vault', targetId: keyVaultId, zone: 'privatelink.vaultcore.azure.net' }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for endpoint in endpoints: {
  name: endpoint.zone
  location: 'global'
  tags: tags
}]

resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (endpoint, i) in endpoints: {
  parent: zones[i]
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: { registrationEnabled: false, virtualNetwork: { id: vnet.id } }
}]

module privateEndpoints 'private-endpoint.bicep' = [for (endpoint, i) in endpoints: {
  name: 'private-endpoint-${endpoint.service}'
  params: {
    location: location
    tags: tags
    name: 'pe-${endpoint.service}-${name}'
    subnetId: vnet.properties.subnets[1].id
    targetId: endpoint.targetId
    groupId: endpoint.groupId
    dnsZoneId: zones[i].id
  }
  dependsOn: [links[i]]
}]

output appSubnetId string = vnet.properties.subnets[0].id
