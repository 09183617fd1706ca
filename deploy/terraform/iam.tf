# Least privilege: each stage reads, writes and deletes only the keys it uses, sends only
# to the queues it feeds and consumes only its own queue, from inside the VPC
# (aws:SourceVpce), and nothing else: no wildcard action, no "*" resource outside the
# actions that have no resource level, no NotAction, no managed policy (check.py).
# IAM cannot tie a result key to the message's package: the hosts check every key's shape.
# Classify and analyze may delete what they write: a late duplicate removes its own plan or
# result when the package was reported meanwhile (pipeline.cc, PutIntermediate).
locals {
  permissions = {
    intake = {
      get  = ["incoming/*"], put = ["packages/*"], delete = [], list = ["incoming/*"],
      send = ["classify", "aggregate"], send_dlq = ["intake"], consume = [], secret = false, mark = false
    }
    classify = {
      get  = ["packages/*"], put = ["plans/*"], delete = ["plans/*"], list = ["packages/*"],
      send = ["light", "heavy", "aggregate"], send_dlq = [], consume = ["classify"], secret = false, mark = true
    }
    analyze = {
      get  = ["packages/*"], put = ["results/*"], delete = ["results/*"], list = ["packages/*"],
      send = ["aggregate"], send_dlq = [], consume = ["light"], secret = true, mark = true
    }
    aggregate = {
      get    = ["packages/*/manifest.json", "results/*"], put = ["reports/*"],
      delete = ["incoming/*", "packages/*", "plans/*", "results/*"], list = ["packages/*", "results/*"],
      send   = [], send_dlq = [], consume = ["aggregate"], secret = false, mark = false
    }
    worker = {
      get  = ["packages/*"], put = ["results/*"], delete = ["results/*"], list = ["packages/*"],
      send = ["aggregate"], send_dlq = [], consume = ["heavy"], secret = true, mark = true
    }
  }
  data_arn   = aws_s3_bucket.store["data"].arn
  values_arn = var.include_values ? aws_s3_bucket.store["values"].arn : aws_s3_bucket.store["data"].arn
  # Results live in the values bucket in values mode; aggregate then writes a report there too.
  object_arns = { for stage, p in local.permissions : stage => {
    for verb in ["get", "put", "delete"] : verb => concat(
      [for prefix in p[verb] : "${startswith(prefix, "results/") ? local.values_arn : local.data_arn}/${prefix}"],
      var.include_values && stage == "aggregate" && verb == "put" ? ["${local.values_arn}/reports/*"] : []
    )
  } }
  kms_keys = concat([aws_kms_key.data.arn], var.include_values ? [aws_kms_key.values[0].arn] : [])
  # The Lambda service polls the queues with the function's role from outside the VPC, so
  # consuming is not tied to an endpoint; everything the code itself calls is.
  endpoint = {
    s3             = aws_vpc_endpoint.s3.id
    dynamodb       = aws_vpc_endpoint.dynamodb.id
    sqs            = aws_vpc_endpoint.interface["sqs"].id
    secretsmanager = aws_vpc_endpoint.interface["secretsmanager"].id
  }
}

data "aws_iam_policy_document" "stage" {
  for_each = local.permissions
  statement {
    sid       = "ReadInputs"
    actions   = ["s3:GetObject"]
    resources = local.object_arns[each.key].get
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [local.endpoint.s3]
    }
  }
  statement {
    sid       = "WriteOutputs"
    actions   = ["s3:PutObject"]
    resources = local.object_arns[each.key].put
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [local.endpoint.s3]
    }
  }
  # Component status (docs/hosts.md): a copy of the component object onto itself with new
  # metadata. The conditions allow that and nothing else: no new bytes, no other prefix.
  dynamic "statement" {
    for_each = each.value.mark ? [1] : []
    content {
      sid       = "MarkComponentStatus"
      actions   = ["s3:PutObject"]
      resources = ["${local.data_arn}/packages/*/components/*"]
      condition {
        test     = "StringEquals"
        variable = "s3:x-amz-metadata-directive"
        values   = ["REPLACE"]
      }
      condition {
        test     = "StringLike"
        variable = "s3:x-amz-copy-source"
        values   = ["${aws_s3_bucket.store["data"].id}/packages/*/components/*"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceVpce"
        values   = [local.endpoint.s3]
      }
    }
  }
  dynamic "statement" {
    for_each = length(each.value.delete) > 0 ? [1] : []
    content {
      sid       = "DeleteReported"
      actions   = ["s3:DeleteObject"]
      resources = local.object_arns[each.key].delete
      condition {
        test     = "StringEquals"
        variable = "aws:SourceVpce"
        values   = [local.endpoint.s3]
      }
    }
  }
  # Without ListBucket a missing object reads as AccessDenied, not NoSuchKey; the stages
  # tell a missing result or a reported package's deleted manifest apart.
  statement {
    sid       = "ListWhereMissingMatters"
    actions   = ["s3:ListBucket"]
    resources = distinct(concat([local.data_arn], each.key == "aggregate" ? [local.values_arn] : []))
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = each.value.list
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [local.endpoint.s3]
    }
  }
  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = local.kms_keys
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.data_services
    }
  }
  statement {
    sid       = "PackageState"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.packages.arn]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [local.endpoint.dynamodb]
    }
  }
  dynamic "statement" {
    for_each = length(each.value.send) + length(each.value.send_dlq) > 0 ? [1] : []
    content {
      sid       = "SendMessages"
      actions   = ["sqs:SendMessage"]
      resources = concat([for q in each.value.send : aws_sqs_queue.stage[q].arn], [for q in each.value.send_dlq : aws_sqs_queue.dlq[q].arn])
      condition {
        test     = "StringEquals"
        variable = "aws:SourceVpce"
        values   = [local.endpoint.sqs]
      }
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
  dynamic "statement" {
    for_each = each.value.secret && each.key != "worker" ? [1] : []
    content {
      sid       = "FingerprintKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.fingerprint_key.arn]
      condition {
        test     = "StringEquals"
        variable = "aws:SourceVpce"
        values   = [local.endpoint.secretsmanager]
      }
    }
  }
  dynamic "statement" {
    for_each = each.key == "worker" ? [] : [1]
    content {
      sid       = "Logs"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["${aws_cloudwatch_log_group.stage[each.key].arn}:*"]
    }
  }
  # The worker protects itself from scale-in while it holds a message (ECS_AGENT_URI).
  dynamic "statement" {
    for_each = each.key == "worker" ? [1] : []
    content {
      sid       = "ScaleInProtection"
      actions   = ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"]
      resources = ["arn:${data.aws_partition.current.partition}:ecs:${var.region}:${data.aws_caller_identity.current.account_id}:task/${var.name}-workers/*"]
    }
  }
  # Lambda in a VPC manages its network interfaces with these, which have no resource level.
  dynamic "statement" {
    for_each = each.key == "worker" ? [] : [1]
    content {
      sid       = "VpcNetworkInterfaces"
      actions   = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = ["*"]
    }
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

# The ECS agent's role: pulls the image, writes the logs, and reads the fingerprint key to
# inject it into the container (`secrets`), so the key never appears in the task definition.
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
  statement {
    sid       = "FingerprintKey"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.fingerprint_key.arn]
  }
  statement {
    sid       = "DecryptFingerprintKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
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
