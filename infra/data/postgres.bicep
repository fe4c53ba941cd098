// Azure Database for PostgreSQL Flexible Server with its built-in PgBouncer in transaction mode
// (port 6432), which the app connects through. Built-in PgBouncer exists on the General Purpose
// and Memory Optimized tiers only, not on Burstable. Production (private networking): the app comes
// in through a private endpoint and no firewall rule is open. Development: firewall rules limit it to
// Azure's own addresses (the function app's outbound IPs are not fixed on Flex Consumption). Either
// way the postprovision hook opens the deployer's address for the migrations and closes it again.

param location string
param tags object
param name string
param databaseName string
param administratorLogin string
@secure()
param administratorPassword string

@description('General Purpose or Memory Optimized SKU (PgBouncer is not available on Burstable).')
param skuName string
@allowed(['GeneralPurpose', 'MemoryOptimized'])
param tier string
param version string
param storageSizeGB int

@description('Server connections PgBouncer keeps per user/database pair: what all app instances share.')
param pgBouncerPoolSize int

@description('Private networking: the app reaches the server at its private endpoint, and no firewall rule lets Azure\'s addresses in.')
param privateNetworking bool

@description('Entra ID authentication on, with this principal (the deployer) as the server\'s Entra administrator; null: passwords only.')
param entraAdministrator { principalId: string, principalType: 'User' | 'ServicePrincipal', principalName: string }?

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, tier: tier }
  properties: {
    version: version
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    // Passwords stay on for the administrator (the migrations); with Entra the app's login has none.
    authConfig: entraAdministrator == null
      ? { passwordAuth: 'Enabled', activeDirectoryAuth: 'Disabled' }
      : { passwordAuth: 'Enabled', activeDirectoryAuth: 'Enabled', tenantId: subscription().tenantId }
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
    network: { publicNetworkAccess: 'Enabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

// 0.0.0.0 is Azure's notation for "any address inside Azure" (any tenant's), which is where Flex
// Consumption instances connect from without a network: development only (docs/DEPLOY.md "Network").
resource azureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (!privateNetworking) {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

// Server parameters are applied one at a time: the service rejects concurrent updates.
resource pgBouncerEnabled 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'pgbouncer.enabled'
  properties: { value: 'true', source: 'user-override' }
  dependsOn: [database, azureServices]
}

resource pgBouncerPoolMode 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'pgbouncer.pool_mode'
  properties: { value: 'TRANSACTION', source: 'user-override' }
  dependsOn: [pgBouncerEnabled]
}

resource pgBouncerPool 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'pgbouncer.default_pool_size'
  properties: { value: string(pgBouncerPoolSize), source: 'user-override' }
  dependsOn: [pgBouncerPoolMode]
}

// Protocol-level prepared statements through transaction pooling (PgBouncer 1.21+): the app's
// connection string auto-prepares its statements (Max Auto Prepare, infra/main.bicep).
resource pgBouncerPreparedStatements 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'pgbouncer.max_prepared_statements'
  properties: { value: '200', source: 'user-override' }
  dependsOn: [pgBouncerPool]
}

// After the server parameters: the service takes one change at a time.
resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (entraAdministrator != null) {
  parent: server
  name: entraAdministrator!.principalId
  properties: {
    principalType: entraAdministrator!.principalType
    principalName: entraAdministrator!.principalName
    tenantId: subscription().tenantId
  }
  dependsOn: [pgBouncerPreparedStatements]
}

output name string = server.name
output id string = server.id
output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
