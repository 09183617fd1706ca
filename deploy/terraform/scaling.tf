# The heavy tier scales with its backlog, from zero: Application Auto Scaling owns the
# worker service's desired count. The rule and its numbers are in scaling.json, which the
# burst test's local scaler reads too (scaling.py, docs/operations.md):
#   wanted    = ceil(visible / backlog_per_task)
#   shortfall = wanted - running        (> 0 exactly when backlog per task is above target,
#                                        and defined at zero tasks: one message wakes it)
#   excess    = running - max(wanted, in-flight messages)
# A warm pool of warm_pool_size tasks during business hours (warm_pool_* variables), zero
# after hours.
locals {
  scaling = jsondecode(file("${path.module}/scaling.json"))
  worker_metrics = {
    visible   = { namespace = "AWS/SQS", name = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = aws_sqs_queue.stage["heavy"].name } }
    in_flight = { namespace = "AWS/SQS", name = "ApproximateNumberOfMessagesNotVisible", dimensions = { QueueName = aws_sqs_queue.stage["heavy"].name } }
    running   = { namespace = "ECS/ContainerInsights", name = "RunningTaskCount", dimensions = { ClusterName = aws_ecs_cluster.workers.name, ServiceName = aws_ecs_service.worker.name } }
  }
  wanted_expression = "CEIL(FILL(visible, 0) / ${local.scaling.backlog_per_task})"
  worker_expressions = {
    scale_out = "${local.wanted_expression} - FILL(running, 0)"
    scale_in  = "FILL(running, 0) - IF(FILL(in_flight, 0) > ${local.wanted_expression}, FILL(in_flight, 0), ${local.wanted_expression})"
  }
  scaling_alarm = {
    scale_out = { name = "backlog-above-target", periods = local.scaling.scale_out.evaluation_periods }
    scale_in  = { name = "workers-idle", periods = local.scaling.scale_in.evaluation_periods }
  }
}

resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.workers.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 0
  max_capacity       = var.worker_max_count
}

resource "aws_appautoscaling_policy" "worker" {
  for_each           = toset(["scale_out", "scale_in"])
  name               = "${var.name}-worker-${replace(each.key, "_", "-")}"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension
  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = local.scaling[each.key].cooldown_seconds
    metric_aggregation_type = "Maximum"
    dynamic "step_adjustment" {
      for_each = local.scaling[each.key].steps
      content {
        metric_interval_lower_bound = step_adjustment.value.lower
        metric_interval_upper_bound = step_adjustment.value.upper
        scaling_adjustment          = step_adjustment.value.change
      }
    }
  }
}

# CloudWatch re-invokes a scaling policy every period while its alarm stays in ALARM.
resource "aws_cloudwatch_metric_alarm" "worker_scaling" {
  for_each            = local.worker_expressions
  alarm_name          = "${var.name}-worker-${local.scaling_alarm[each.key].name}"
  alarm_description   = "Heavy tier ${replace(each.key, "_", " ")} (deploy/terraform/scaling.json)"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = local.scaling_alarm[each.key].periods
  datapoints_to_alarm = local.scaling_alarm[each.key].periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.worker[each.key].arn]
  dynamic "metric_query" {
    for_each = local.worker_metrics
    content {
      id          = metric_query.key
      return_data = false
      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.name
        dimensions  = metric_query.value.dimensions
        period      = local.scaling.period_seconds
        stat        = "Maximum"
      }
    }
  }
  metric_query {
    id          = "decision"
    expression  = each.value
    label       = each.key == "scale_out" ? "tasks short" : "tasks idle"
    return_data = true
  }
}

# The warm pool: business hours keep warm_pool_size tasks (no cold start for the first
# heavy component of the day), after hours the minimum returns to zero.
resource "aws_appautoscaling_scheduled_action" "warm_pool" {
  for_each = {
    start = { hour = var.warm_pool_start_hour, min = var.warm_pool_size }
    end   = { hour = var.warm_pool_end_hour, min = 0 }
  }
  name               = "${var.name}-warm-pool-${each.key}"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension
  schedule           = "cron(0 ${each.value.hour} ? * ${var.warm_pool_days} *)"
  timezone           = var.warm_pool_timezone
  scalable_target_action {
    min_capacity = each.value.min
    max_capacity = var.worker_max_count
  }
}
