// The dashboard: workbook.json (edit it in the portal's Advanced Editor and paste it back), with
// the ids of this deployment's resources put in place of its __PLACEHOLDERS__.

param location string
param tags object
param environmentName string
param applicationInsightsId string
param postgresServerId string
param storageAccountId string

var serialized = replace(replace(replace(loadTextContent('workbook.json'),
  '__APPLICATION_INSIGHTS_ID__', applicationInsightsId),
  '__POSTGRES_SERVER_ID__', postgresServerId),
  '__BLOB_SERVICE_ID__', '${storageAccountId}/blobServices/default')

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(applicationInsightsId, 'nanobanana-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'NanoBanana (${environmentName})'
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: serialized
  }
}

output id string = workbook.id
