# Anything in a dead-letter queue is a component or package the pipeline gave up on.
resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  for_each            = aws_sqs_queue.dlq
  alarm_name          = "${each.value.name}-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  alarm_actions       = [var.alarm_topic_arn]
}

# Work that waits longer than its queue's visibility timeout is stuck.
resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each            = aws_sqs_queue.stage
  alarm_name          = "${each.value.name}-oldest-message"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.visibility[each.key]
  alarm_actions       = [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each            = aws_lambda_function.stage
  alarm_name          = "${each.value.function_name}-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  alarm_actions       = [var.alarm_topic_arn]
}

# Throttles mean a function met its reserved concurrency: SQS mappings stay below it
# (maximum_concurrency), so a throttle is intake's S3 burst (retried by Lambda) or a setting
# out of line.
resource "aws_cloudwatch_metric_alarm" "function_throttles" {
  for_each            = aws_lambda_function.stage
  alarm_name          = "${each.value.function_name}-throttles"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  alarm_actions       = [var.alarm_topic_arn]
}

# The worker service scales to zero: no task is normal while the heavy queue is empty.
# Heavy work waiting for ten minutes with no task running is not (the scale-out path or
# the tasks' start is broken).
resource "aws_cloudwatch_metric_alarm" "heavy_work_without_worker" {
  alarm_name          = "${var.name}-heavy-work-without-worker"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 10
  datapoints_to_alarm = 10
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  dynamic "metric_query" {
    for_each = { for k, m in local.worker_metrics : k => m if k != "in_flight" }
    content {
      id          = metric_query.key
      return_data = false
      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.name
        dimensions  = metric_query.value.dimensions
        period      = 60
        stat        = "Maximum"
      }
    }
  }
  metric_query {
    id          = "stranded"
    expression  = "IF(FILL(visible, 0) > 0 AND FILL(running, 0) == 0, 1, 0)"
    label       = "heavy work and no worker"
    return_data = true
  }
}
