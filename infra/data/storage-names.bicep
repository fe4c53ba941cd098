// The queues the app's triggers read, all derived from the one queue name (Storage__QueueName): the
// generations queue, the notifications queue, and the poison queue of each. Created here so the host's
// listeners never poll a queue that does not exist (each such poll logs a 404 warning). The app creates
// the same list at start-up (NanoBanana.Functions/Storage/AppQueues.cs); StorageProvisioningTests
// evaluates this function and checks the two lists, and the triggers in functions.metadata, agree.
@export()
func appQueueNames(queueName string) string[] => [
  queueName
  '${queueName}-poison'
  '${queueName}-notifications'
  '${queueName}-notifications-poison'
]
