resource "aws_ecs_cluster" "workers" {
  name = "${var.name}-workers"
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/ecs/${var.name}-worker"
  retention_in_days = 30
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 4096
  memory                   = 16384
  task_role_arn            = aws_iam_role.worker_task.arn
  execution_role_arn       = aws_iam_role.worker_execution.arn
  container_definitions = jsonencode([{
    name      = "worker"
    image     = var.worker_image
    essential = true
    # ECS sends SIGTERM, then SIGKILL after stopTimeout (120 s at most on Fargate): the
    # worker finishes its message within TRAWL_STOP_TIMEOUT_MS or gives it back.
    stopTimeout = 120
    environment = [
      { name = "TRAWL_STAGE", value = "analyze" },
      { name = "TRAWL_DB", value = "/opt/trawl/default.tdb" },
      { name = "TRAWL_TABLE", value = aws_dynamodb_table.packages.name },
      { name = "TRAWL_QUEUE_URL", value = aws_sqs_queue.stage["heavy"].url },
      { name = "TRAWL_AGGREGATE_QUEUE_URL", value = aws_sqs_queue.stage["aggregate"].url },
      { name = "TRAWL_VISIBILITY_SECONDS", value = "300" },
      { name = "TRAWL_STOP_TIMEOUT_MS", value = "90000" },
      { name = "TRAWL_MAX_ATTEMPTS", value = tostring(local.max_receive_count) },
      { name = "TRAWL_HEARTBEAT_FILE", value = "/tmp/trawl-heartbeat" },
    ]
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
  desired_count   = var.worker_count
  launch_type     = "FARGATE"
  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }
}
