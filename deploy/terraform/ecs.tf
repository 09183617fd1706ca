resource "aws_ecs_cluster" "workers" {
  name = "${var.name}-workers"
  # Running task counts for the scaling alarms (scaling.tf, alarms.tf), and per-task
  # resource metrics.
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/ecs/${var.name}-worker"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 4096
  memory                   = local.worker_memory
  task_role_arn            = aws_iam_role.worker_task.arn
  execution_role_arn       = aws_iam_role.worker_execution.arn
  container_definitions = jsonencode([{
    name      = "worker"
    image     = var.worker_image
    essential = true
    # ECS sends SIGTERM, then SIGKILL after stopTimeout (120 s at most on Fargate): the
    # worker finishes its message within TRAWL_STOP_TIMEOUT_MS or gives it back.
    stopTimeout = 120
    environment = concat([for k, v in local.stage_environment : { name = k, value = v }], [
      { name = "TRAWL_STAGE", value = "analyze" },
      { name = "TRAWL_DB", value = "/opt/trawl/default.tdb" },
      { name = "TRAWL_QUEUE_URL", value = aws_sqs_queue.stage["heavy"].url },
      { name = "TRAWL_VISIBILITY_SECONDS", value = "300" },
      { name = "TRAWL_STOP_TIMEOUT_MS", value = "90000" },
      { name = "TRAWL_MEMORY_MB", value = tostring(local.worker_memory) },
      { name = "TRAWL_HEARTBEAT_FILE", value = "/tmp/trawl-heartbeat" },
    ])
    # The same secret as the analyze function's: ECS injects it, it is not in the task
    # definition.
    secrets = [
      { name = "TRAWL_FINGERPRINT_KEY", valueFrom = aws_secretsmanager_secret.fingerprint_key.arn },
    ]
    user = "65532:65532"
    healthCheck = {
      command     = ["CMD-SHELL", "test $(( $(date +%s) - $(cat /tmp/trawl-heartbeat) )) -lt 60"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.worker.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "worker"
      }
    }
  }])
}

resource "aws_ecs_service" "worker" {
  name            = "${var.name}-worker"
  cluster         = aws_ecs_cluster.workers.id
  task_definition = aws_ecs_task_definition.worker.arn
  # Application Auto Scaling owns the count from here on (scaling.tf).
  desired_count = 0
  launch_type   = "FARGATE"
  network_configuration {
    subnets          = local.subnet_ids
    security_groups  = [aws_security_group.stages.id]
    assign_public_ip = false
  }
  lifecycle {
    ignore_changes = [desired_count]
    precondition {
      condition     = var.warm_pool_size <= var.worker_max_count && var.warm_pool_start_hour < var.warm_pool_end_hour
      error_message = "The warm pool must fit in worker_max_count and start before it ends."
    }
  }
}
