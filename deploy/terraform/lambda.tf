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
resource "aws_lambda_event_source_mapping" "classify" {
  event_source_arn        = aws_sqs_queue.stage["classify"].arn
  function_name           = aws_lambda_function.stage["classify"].arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_lambda_event_source_mapping" "analyze" {
  event_source_arn        = aws_sqs_queue.stage["light"].arn
  function_name           = aws_lambda_function.stage["analyze"].arn
  batch_size              = 1
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_lambda_event_source_mapping" "aggregate" {
  event_source_arn        = aws_sqs_queue.stage["aggregate"].arn
  function_name           = aws_lambda_function.stage["aggregate"].arn
  batch_size              = 1
  function_response_types = ["ReportBatchItemFailures"]
}
