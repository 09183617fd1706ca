# Least privilege: each stage reads and writes only its own prefixes, sends only to the
# queues it feeds and consumes only its own queue. No wildcard actions (check.py).
locals {
  permissions = {
    intake    = { get = ["incoming/*"], put = ["packages/*"], send = ["classify", "aggregate"], consume = [] }
    classify  = { get = ["packages/*"], put = ["plans/*"], send = ["light", "heavy", "aggregate"], consume = ["classify"] }
    analyze   = { get = ["packages/*"], put = ["results/*"], send = ["aggregate"], consume = ["light"] }
    aggregate = { get = ["packages/*", "results/*"], put = ["reports/*"], send = [], consume = ["aggregate"] }
    worker    = { get = ["packages/*"], put = ["results/*"], send = ["aggregate"], consume = ["heavy"] }
  }
}

data "aws_iam_policy_document" "stage" {
  for_each = local.permissions
  statement {
    sid       = "ReadInputs"
    actions   = ["s3:GetObject"]
    resources = [for p in each.value.get : "${aws_s3_bucket.data.arn}/${p}"]
  }
  statement {
    sid       = "WriteOutputs"
    actions   = ["s3:PutObject"]
    resources = [for p in each.value.put : "${aws_s3_bucket.data.arn}/${p}"]
  }
  # Without ListBucket a missing object reads as AccessDenied, not NoSuchKey; aggregation
  # needs to tell a missing result apart.
  statement {
    sid       = "ListResults"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["results/*"]
    }
  }
  statement {
    sid       = "PackageState"
    actions   = ["dynamodb:UpdateItem", "dynamodb:GetItem"]
    resources = [aws_dynamodb_table.packages.arn]
  }
  dynamic "statement" {
    for_each = length(each.value.send) > 0 ? [1] : []
    content {
      sid       = "SendMessages"
      actions   = ["sqs:SendMessage"]
      resources = [for q in each.value.send : aws_sqs_queue.stage[q].arn]
    }
  }
  dynamic "statement" {
    for_each = length(each.value.consume) > 0 ? [1] : []
    content {
      sid       = "ConsumeQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      resources = [for q in each.value.consume : aws_sqs_queue.stage[q].arn]
    }
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = each.key == "worker" ? ["${aws_cloudwatch_log_group.worker.arn}:*"] : ["${aws_cloudwatch_log_group.stage[each.key].arn}:*"]
  }
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "ecs_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "stage" {
  for_each           = local.timeouts
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy" "stage" {
  for_each = local.timeouts
  name     = "${var.name}-${each.key}"
  role     = aws_iam_role.stage[each.key].id
  policy   = data.aws_iam_policy_document.stage[each.key].json
}

resource "aws_iam_role" "worker_task" {
  name               = "${var.name}-worker-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_assume.json
}

resource "aws_iam_role_policy" "worker_task" {
  name   = "${var.name}-worker-task"
  role   = aws_iam_role.worker_task.id
  policy = data.aws_iam_policy_document.stage["worker"].json
}

data "aws_iam_policy_document" "worker_execution" {
  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:${data.aws_partition.current.partition}:ecr:${var.region}:${data.aws_caller_identity.current.account_id}:repository/${var.name}-worker"]
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # this action has no resource-level permissions
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker.arn}:*"]
  }
}

resource "aws_iam_role" "worker_execution" {
  name               = "${var.name}-worker-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_assume.json
}

resource "aws_iam_role_policy" "worker_execution" {
  name   = "${var.name}-worker-execution"
  role   = aws_iam_role.worker_execution.id
  policy = data.aws_iam_policy_document.worker_execution.json
}
