# One dashboard for a burst: how much waits at each stage and for how long, what the heavy
# tier runs against what it wants, what the functions cost and whether they fail or are
# throttled, and how many packages came out complete. docs/operations.md reads it.
locals {
  dashboard_widgets = [
    {
      title = "Messages waiting, per stage"
      stat  = "Maximum"
      metrics = [for k, q in aws_sqs_queue.stage :
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.name, { label = k }]]
    },
    {
      title = "Oldest message age (s), per stage"
      stat  = "Maximum"
      metrics = [for k, q in aws_sqs_queue.stage :
      ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q.name, { label = k }]]
    },
    {
      title = "Dead-letter queues (must stay at 0)"
      stat  = "Maximum"
      metrics = [for k, q in aws_sqs_queue.dlq :
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.name, { label = k }]]
    },
    {
      title = "Heavy tier: workers and backlog"
      stat  = "Maximum"
      metrics = [
        ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", aws_ecs_cluster.workers.name, "ServiceName", aws_ecs_service.worker.name, { id = "running", label = "running tasks" }],
        ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", aws_ecs_cluster.workers.name, "ServiceName", aws_ecs_service.worker.name, { label = "desired tasks" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.stage["heavy"].name, { id = "visible", label = "heavy messages waiting" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", aws_sqs_queue.stage["heavy"].name, { id = "in_flight", label = "heavy messages in work" }],
        [{ expression = local.worker_expressions.scale_out, label = "tasks short (scale out > 0)" }],
      ]
    },
    {
      title = "Lambda duration (ms, p95)"
      stat  = "p95"
      metrics = [for k, f in aws_lambda_function.stage :
      ["AWS/Lambda", "Duration", "FunctionName", f.function_name, { label = k }]]
    },
    {
      title = "Lambda errors and throttles"
      stat  = "Sum"
      metrics = concat(
        [for k, f in aws_lambda_function.stage : ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { label = "${k} errors" }]],
        [for k, f in aws_lambda_function.stage : ["AWS/Lambda", "Throttles", "FunctionName", f.function_name, { label = "${k} throttles" }]],
      )
    },
    {
      title = "Lambda concurrent executions"
      stat  = "Maximum"
      metrics = [for k, f in aws_lambda_function.stage :
      ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", f.function_name, { label = k }]]
    },
    {
      title = "Packages reported (aggregate's embedded metrics)"
      stat  = "Sum"
      metrics = [for m in ["PackagesCompleted", "PackagesIncomplete", "ComponentsFailed"] :
      [local.metrics_namespace, m, "Stage", "aggregate", { label = m }]]
    },
  ]
}

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = "${var.name}-pipeline"
  dashboard_body = jsonencode({
    widgets = [for i, w in local.dashboard_widgets : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = w.title
        region  = var.region
        view    = "timeSeries"
        stat    = w.stat
        period  = 60
        metrics = w.metrics
      }
    }]
  })
}
