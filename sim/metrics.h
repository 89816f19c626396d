/* metrics.h - the names of the metrics that more than one file reads or
 * writes: models record them (summary.csv, timeseries.csv), reports,
 * requirements and sweeps look them up. One spelling, here.
 *
 * They are CloudWatch-style names (Throttles, DrainTime...); a summary
 * statistic is the name plus a suffix, e.g. METRIC_CONCURRENT_EXECUTIONS
 * METRIC_MAX is "ConcurrentExecutions.max".
 */
#ifndef SPILLWAY_SIM_METRICS_H
#define SPILLWAY_SIM_METRICS_H

/* Suffixes of summary statistics. */
#define METRIC_MAX ".max"
#define METRIC_P50 ".p50"
#define METRIC_P95 ".p95"
#define METRIC_P99 ".p99"

/* Queues. */
#define METRIC_VISIBLE "ApproximateNumberOfMessagesVisible"
#define METRIC_NOT_VISIBLE "ApproximateNumberOfMessagesNotVisible"
#define METRIC_AGE_OF_OLDEST "ApproximateAgeOfOldestMessage"
#define METRIC_MOVED_TO_DLQ "NumberOfMessagesMovedToDLQ"
#define METRIC_EXPIRED "NumberOfMessagesExpired"
#define METRIC_DRAIN_TIME "DrainTime"
#define METRIC_MAX_VISIBLE "MaxNumberOfMessagesVisible"

/* Functions, accounts and event sources. */
#define METRIC_CONCURRENT_EXECUTIONS "ConcurrentExecutions"
#define METRIC_THROTTLES "Throttles"
#define METRIC_INVOCATIONS "Invocations"
#define METRIC_DURATION "Duration"
#define METRIC_POLLED_EVENTS "PolledEventCount"
#define METRIC_POLLER_UNIT_HOURS "EventPollerUnit-hours"

/* Tables. */
#define METRIC_WRITE_THROTTLES "WriteThrottleEvents"
#define METRIC_READ_THROTTLES "ReadThrottleEvents"
#define METRIC_CONSUMED_WCU "ConsumedWriteCapacityUnits"
#define METRIC_PROVISIONED_WCU "ProvisionedWriteCapacityUnits"
#define METRIC_CONSUMED_RCU "ConsumedReadCapacityUnits"
#define METRIC_PROVISIONED_RCU "ProvisionedReadCapacityUnits"

/* Stations (queueing-theory servers). */
#define METRIC_QUEUE_LENGTH "QueueLength"
#define METRIC_IN_SYSTEM "InSystem"
#define METRIC_BUSY_SERVERS "BusyServers"
#define METRIC_WAIT_TIME "WaitTime"
#define METRIC_SOJOURN_TIME "SojournTime"
#define METRIC_UTILIZATION "Utilization"

/* Pods. */
#define METRIC_PODS "Pods"
#define METRIC_PODS_BUSY "PodsBusy"

/* Data paths. */
#define METRIC_DATA_PROCESSED "DataProcessed"

/* Retries, outages and orchestration. */
#define METRIC_SCHEDULER_INVOCATIONS "SchedulerInvocations"
#define METRIC_RETRIES_PENDING "RetriesPending"
#define METRIC_OUT_OF_ORDER_DELETES "OutOfOrderDeletes"
#define METRIC_FAILED_CALLS "FailedCalls"
#define METRIC_DELIVERY_LATENCY "DeliveryLatency"
#define METRIC_DEAD_LETTER_INVOCATIONS "DeadLetterInvocations"
#define METRIC_DROPPED "Dropped"
#define METRIC_RUNNING_EXECUTIONS "RunningExecutions"
#define METRIC_EXECUTIONS_FAILED "ExecutionsFailed"
#define METRIC_REPLAYED "Replayed"
#define METRIC_TARGET_THROTTLED "TargetThrottled"

/* Conversations (streamed responses). */
#define METRIC_CONVERSATIONS "Conversations"
#define METRIC_COMPLETED "Completed"
#define METRIC_FAILED "Failed"
#define METRIC_TIME_TO_FIRST_BYTE "TimeToFirstByte"
#define METRIC_TIME_TO_LAST_TOKEN "TimeToLastToken"

#endif
