// A private endpoint for one service (Postgres, a storage service, Key Vault), registered in the
// private DNS zone that makes the service's public host name resolve to it inside the network.

param location string
param tags object
param name string
param subnetId string
@description('The resource the endpoint reaches.')
param targetId string
@description('Which of its services: postgresqlServer, blob, queue, vault.')
param groupId string
param dnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: { id: subnetId }
    privateLinkServiceConnections: [
      { name: name, properties: { privateLinkServiceId: targetId, groupIds: [groupId] } }
    ]
  }
}

resource dns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: { privateDnsZoneConfigs: [{ name: groupId, properties: { privateDnsZoneId: dnsZoneId } }] }
}
