# One customer-managed key for everything the pipeline stores: the bucket, the queues, the
# table, the log groups and the fingerprint-key secret. Unlike aws/s3, its policy can be
# restricted: the administrators manage it without using it; only the pipeline roles and
# the named report readers use it, and only through the services that hold the data.
locals {
  pipeline_role_arns = concat([for r in aws_iam_role.stage : r.arn], [aws_iam_role.worker_task.arn])
  data_services      = [for s in ["s3", "sqs", "dynamodb", "secretsmanager"] : "${s}.${var.region}.amazonaws.com"]
  log_group_arn      = "arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*${var.name}-*"
}

resource "aws_kms_key" "data" {
  description         = "${var.name}: packages, results, reports, queues, state, logs"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.data_key.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name}-data"
  target_key_id = aws_kms_key.data.key_id
}

data "aws_iam_policy_document" "data_key" {
  statement {
    sid = "Administer"
    actions = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
      "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
      "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:ListGrants",
    "kms:RevokeGrant", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = ["*"] # in a key policy: this key
    principals {
      type        = "AWS"
      identifiers = var.admin_arns
    }
  }
  statement {
    sid       = "PipelineUse"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = concat(local.pipeline_role_arns, [aws_iam_role.worker_execution.arn])
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.data_services
    }
  }
  # DynamoDB creates a grant for the table with the creator's rights.
  statement {
    sid       = "TableGrant"
    actions   = ["kms:CreateGrant", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = var.admin_arns
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
  dynamic "statement" {
    for_each = length(var.report_reader_arns) > 0 ? [1] : []
    content {
      sid       = "ReportReaders"
      actions   = ["kms:Decrypt"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = var.report_reader_arns
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${var.region}.amazonaws.com"]
      }
    }
  }
  # `trawl-aws status` reads the table item and the packages/ objects.
  dynamic "statement" {
    for_each = length(var.status_reader_arns) > 0 ? [1] : []
    content {
      sid       = "StatusReaders"
      actions   = ["kms:Decrypt"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = var.status_reader_arns
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${var.region}.amazonaws.com", "dynamodb.${var.region}.amazonaws.com"]
      }
    }
  }
  statement {
    sid       = "LogGroups"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.log_group_arn]
    }
  }
  statement {
    sid       = "AuditTrail"
    actions   = ["kms:GenerateDataKey", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudtrail:${var.region}:${data.aws_caller_identity.current.account_id}:trail/${var.name}-reports"]
    }
  }
}

# Values mode: the values bucket has a key of its own, used by analyze and aggregate (and
# the worker) and read only by the named value readers.
resource "aws_kms_key" "values" {
  count               = var.include_values ? 1 : 0
  description         = "${var.name}: finding values"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.values_key.json
}

data "aws_iam_policy_document" "values_key" {
  statement {
    sid = "Administer"
    actions = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
      "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
    "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = var.admin_arns
    }
  }
  statement {
    sid       = "PipelineUse"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.stage["analyze"].arn, aws_iam_role.stage["aggregate"].arn, aws_iam_role.worker_task.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
  dynamic "statement" {
    for_each = length(var.value_reader_arns) > 0 ? [1] : []
    content {
      sid       = "ValueReaders"
      actions   = ["kms:Decrypt"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = var.value_reader_arns
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${var.region}.amazonaws.com"]
      }
    }
  }
}
