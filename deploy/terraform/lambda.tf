# One zip, four functions: the bootstrap serves the stage named by TRAWL_STAGE. They run
# in the VPC's private subnets, with no internet route.
locals {
  stage_environment = {
    TRAWL_BUCKET              = aws_s3_bucket.store["data"].id
    TRAWL_TABLE               = aws_dynamodb_table.packages.name
    TRAWL_CLASSIFY_QUEUE_URL  = aws_sqs_queue.stage["classify"].url
    TRAWL_LIGHT_QUEUE_URL     = aws_sqs_queue.stage["light"].url
    TRAWL_HEAVY_QUEUE_URL     = aws_sqs_queue.stage["heavy"].url
    TRAWL_AGGREGATE_QUEUE_URL = aws_sqs_queue.stage["aggregate"].url
    TRAWL_MAX_ATTEMPTS        = tostring(local.max_receive_count)
    TRAWL_MAX_COMPONENT_BYTES = tostring(local.max_component_bytes)
    TRAWL_STATE_TTL_DAYS      = tostring(var.state_ttl_days)
    TRAWL_INCLUDE_VALUES      = var.include_values ? "1" : "0"
    TRAWL_VALUES_BUCKET       = var.include_values ? aws_s3_bucket.store["values"].id : ""
    # Classify sends to the heavy tier what the analyze function could not hold or finish
    # in half its timeout, whatever the library's own light limits say.
    TRAWL_LIGHT_MAX_MEMORY_BYTES = tostring(local.memory.analyze * 1048576)
    TRAWL_LIGHT_MAX_SECONDS      = tostring(local.timeouts.analyze / 2)
    # Aggregate's embedded-metric line: the dashboard's packages completed / incomplete.
    TRAWL_METRICS_NAMESPACE = local.metrics_namespace
  }
  metrics_namespace = "trawl/${var.name}"
  # SQS event source mappings: function and batch size.
  sqs_consumers = {
    classify  = { queue = "classify", batch_size = 10 }
    analyze   = { queue = "light", batch_size = 1 }
    aggregate = { queue = "aggregate", batch_size = 1 }
  }
}

resource "aws_lambda_function" "stage" {
  for_each         = local.timeouts
  function_name    = "${var.name}-${each.key}"
  role             = aws_iam_role.stage[each.key].arn
  runtime          = "provided.al2023"
  architectures    = ["x86_64"]
  handler          = "bootstrap"
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  timeout          = each.value
  memory_size      = local.memory[each.key]
  # Its own share of the account's concurrency: a burst neither takes nor lacks it.
  reserved_concurrent_executions = var.lambda_reserved_concurrency[each.key]
  ephemeral_storage {
    size = each.key == "intake" ? 10240 : 512
  }
  vpc_config {
    subnet_ids         = local.subnet_ids
    security_group_ids = [aws_security_group.stages.id]
  }
  environment {
    # The fingerprint key is fetched from Secrets Manager at start, never put here.
    variables = merge(local.stage_environment, {
      TRAWL_STAGE                      = each.key
      TRAWL_DB                         = "/var/task/default.tdb"
      TRAWL_FINGERPRINT_KEY_SECRET_ARN = each.key == "analyze" ? aws_secretsmanager_secret.fingerprint_key.arn : ""
    })
  }
  depends_on = [aws_cloudwatch_log_group.stage, aws_iam_role_policy.stage]
}

resource "aws_cloudwatch_log_group" "stage" {
  for_each          = local.timeouts
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_lambda_permission" "s3_intake" {
  statement_id   = "AllowS3Invoke"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.stage["intake"].function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.store["data"].arn
  source_account = data.aws_caller_identity.current.account_id
}

# S3 invokes intake asynchronously: an event that still fails after the retries (a crash
# on the last attempt, a package refused as too large) is kept on the intake dead-letter
# queue, which alarms, instead of being lost.
resource "aws_lambda_function_event_invoke_config" "intake" {
  function_name                = aws_lambda_function.stage["intake"].function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 21600
  destination_config {
    on_failure {
      destination = aws_sqs_queue.dlq["intake"].arn
    }
  }
}

# SQS -> Lambda. Partial batch failures are reported by the bootstrap (batchItemFailures).
# maximum_concurrency caps the invocations each mapping runs at once, within the function's
# reserved concurrency: a burst waits in the queue instead of meeting throttles.
resource "aws_lambda_event_source_mapping" "stage" {
  for_each                = local.sqs_consumers
  event_source_arn        = aws_sqs_queue.stage[each.value.queue].arn
  function_name           = aws_lambda_function.stage[each.key].arn
  batch_size              = each.value.batch_size
  function_response_types = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = var.sqs_max_concurrency[each.key]
  }
  lifecycle {
    precondition {
      condition     = var.sqs_max_concurrency[each.key] <= var.lambda_reserved_concurrency[each.key]
      error_message = "sqs_max_concurrency must not exceed the function's lambda_reserved_concurrency."
    }
  }
}

moved {
  from = aws_lambda_event_source_mapping.classify
  to   = aws_lambda_event_source_mapping.stage["classify"]
}

moved {
  from = aws_lambda_event_source_mapping.analyze
  to   = aws_lambda_event_source_mapping.stage["analyze"]
}

moved {
  from = aws_lambda_event_source_mapping.aggregate
  to   = aws_lambda_event_source_mapping.stage["aggregate"]
}
