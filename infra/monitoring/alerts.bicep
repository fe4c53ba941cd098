// The original guide's monitoring list as alert rules, over what the app emits (Telemetry/
// GenerationMetrics: meter NanoBanana.Generations, exported by OpenTelemetry to customMetrics)
// and a standard availability test of GET /api/health.

param location string
param tags object
param applicationInsightsName string
param functionAppHostName string

@description('Email that receives alerts; empty: the rules fire without notifying anyone (see the portal).')
param alertEmail string

@description('Success rate (completed / (completed + failed)) below which the rate alert fires, 0-100.')
param successRatePercent int

@description('Fire when a generation waited in the queue longer than this before a worker claimed it.')
param queueAgeMinutes int

@description('Gemini calls ending RATE_LIMITED or QUOTA_EXHAUSTED within 15 minutes that fire the quota alert.')
param quotaFailures int

@description('Minutes an instance\'s liveness session must report down before the liveness alert fires.')
param livenessDownMinutes int

@description('Claims of dead workers handed back within 15 minutes above which the abandoned-claims alert fires.')
param abandonedClaims int

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${applicationInsightsName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'nanobanana'
    enabled: true
    emailReceivers: [{ name: 'on-call', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

var actionGroups = empty(alertEmail) ? [] : [actionGroup.id]

// Counters arrive as one row per export interval with the interval's count in valueSum;
// histograms with valueCount observations, valueSum and valueMax.
var queryRules = [
  {
    name: 'success-rate'
    displayName: 'NanoBanana: generation success rate below ${successRatePercent}%'
    severity: 2
    window: 'PT1H'
    frequency: 'PT15M'
    query: '''
customMetrics
| where name in ("nanobanana.generations.completed", "nanobanana.generations.failed")
| summarize completed = sumif(valueSum, name == "nanobanana.generations.completed"), failed = sumif(valueSum, name == "nanobanana.generations.failed")
| where completed + failed >= 10
| extend successRate = 100.0 * completed / (completed + failed)
| where successRate < THRESHOLD
'''
    threshold: successRatePercent
  }
  {
    name: 'stuck-or-undelivered'
    displayName: 'NanoBanana: a generation failed STUCK or DELIVERY_FAILED'
    severity: 1
    window: 'PT15M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "nanobanana.generations.failed"
| extend code = tostring(customDimensions["error.code"])
| where code in ("STUCK", "DELIVERY_FAILED")
| summarize failures = sum(valueSum) by code
| where failures > 0
'''
    threshold: 0
  }
  {
    name: 'queue-age'
    displayName: 'NanoBanana: generations waited over ${queueAgeMinutes} min in the queue'
    severity: 2
    window: 'PT15M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "nanobanana.queue.age_at_claim"
| summarize oldestSeconds = max(valueMax)
| where oldestSeconds > THRESHOLD * 60
'''
    threshold: queueAgeMinutes
  }
  {
    name: 'model-not-found'
    displayName: 'NanoBanana: Gemini answers 404 NOT_FOUND for an offered model (retired): set Gemini__Model / Gemini__AllowedModels'
    severity: 1
    window: 'PT6H'
    frequency: 'PT15M'
    query: '''
customMetrics
| where name == "nanobanana.gemini.model_not_found"
| extend model = tostring(customDimensions["model"])
| summarize answers = sum(valueSum) by model
| where answers > THRESHOLD
'''
    threshold: 0
  }
  {
    name: 'gemini-quota'
    displayName: 'NanoBanana: Gemini rate-limit / quota failures rising'
    severity: 2
    window: 'PT15M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "nanobanana.gemini.latency"
| extend outcome = tostring(customDimensions["outcome"])
| where outcome in ("RATE_LIMITED", "QUOTA_EXHAUSTED")
| summarize calls = sum(valueCount)
| where calls >= THRESHOLD
'''
    threshold: quotaFailures
  }
  {
    // A gauge per instance, exported about once a minute: an instance whose every sample for the last
    // THRESHOLD minutes is 0 takes no work (it hands each delivery on) and needs a look at its direct
    // Postgres session (Postgres__ListenConnectionString, port 5432). Samples must span the time, so an
    // instance that was down for a moment and then scaled in does not fire.
    name: 'liveness-session-down'
    displayName: 'NanoBanana: an instance\'s liveness session down for ${livenessDownMinutes} min (it takes no work)'
    severity: 2
    window: 'PT30M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "nanobanana.liveness.session_up"
| where timestamp > ago(THRESHOLDm)
| summarize up = max(valueMax), covered = max(timestamp) - min(timestamp) by instance = cloud_RoleInstance
| where up == 0 and covered >= THRESHOLDm - 2m
'''
    threshold: livenessDownMinutes
  }
  {
    // Each is a worker that died mid-claim (a crash, an OOM, a kill): a few a day are deploys, a burst is
    // a crash loop. "failed" ones ended the generation at its run's limits.
    name: 'abandoned-claims'
    displayName: 'NanoBanana: over ${abandonedClaims} claims of dead workers handed back in 15 min'
    severity: 2
    window: 'PT15M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "nanobanana.liveness.abandoned_claims"
| summarize claims = sum(valueSum), failed = sumif(valueSum, tostring(customDimensions["outcome"]) == "failed")
| where claims > THRESHOLD
'''
    threshold: abandonedClaims
  }
]

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in queryRules: {
  name: 'nanobanana-${rule.name}-${applicationInsightsName}'
  location: location
  tags: tags
  properties: {
    displayName: rule.displayName
    severity: rule.severity
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(rule.query, 'THRESHOLD', string(rule.threshold))
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: actionGroups }
  }
}]

// The health endpoint from five regions every five minutes; down = failing from two of them.
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'health-${applicationInsightsName}'
  location: location
  tags: union(tags, { 'hidden-link:${applicationInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'health-${applicationInsightsName}'
    Name: 'NanoBanana /api/health'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'us-ca-sjc-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'emea-gb-db3-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: 'https://${functionAppHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthDown 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'nanobanana-health-down-${applicationInsightsName}'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health failed from two or more locations: Postgres, the queue or blob storage is down, or the app is.'
    severity: 1
    enabled: true
    scopes: [healthTest.id, applicationInsights.id]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsights.id
      failedLocationCount: 2
    }
    actions: [for group in actionGroups: { actionGroupId: group }]
  }
}
