# The pipeline's bucket, and in values mode a bucket for values under a key of its own.
# Each: SSE-KMS with its customer-managed key and bucket keys, public access blocked,
# versioned (reports/ keeps overwritten versions), a policy that denies plain HTTP and
# every principal not named here, and lifecycle rules that expire what the pipeline does
# not delete itself. check.py checks all of it.
locals {
  buckets = merge({ data = aws_kms_key.data.arn }, var.include_values ? { values = aws_kms_key.values[0].arn } : {})
  # Who may use each bucket at all (the bucket policy denies everyone else).
  bucket_principals = {
    data   = concat(local.pipeline_role_arns, var.admin_arns, var.report_reader_arns, var.uploader_arns, var.status_reader_arns)
    values = concat([aws_iam_role.stage["analyze"].arn, aws_iam_role.stage["aggregate"].arn, aws_iam_role.worker_task.arn], var.admin_arns, var.value_reader_arns)
  }
  bucket_readers = { data = var.report_reader_arns, values = var.value_reader_arns }
  # Prefixes the pipeline writes and deletes itself once a package is reported.
  expiring_prefixes = {
    data   = { "incoming/" = var.incoming_expiry_days, "packages/" = var.intermediate_expiry_days, "plans/" = var.intermediate_expiry_days, "results/" = var.intermediate_expiry_days }
    values = { "results/" = var.intermediate_expiry_days }
  }
  pipeline_endpoints = [aws_vpc_endpoint.s3.id]
}

resource "aws_s3_bucket" "store" {
  for_each      = local.buckets
  bucket_prefix = "${var.name}-${each.key}-"
}

resource "aws_s3_bucket_public_access_block" "store" {
  for_each                = local.buckets
  bucket                  = aws_s3_bucket.store[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "store" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.store[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "store" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.store[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = each.value
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "store" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.store[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "store" {
  for_each   = local.buckets
  bucket     = aws_s3_bucket.store[each.key].id
  depends_on = [aws_s3_bucket_versioning.store]
  dynamic "rule" {
    for_each = local.expiring_prefixes[each.key]
    content {
      id     = "expire-${trimsuffix(rule.key, "/")}"
      status = "Enabled"
      filter {
        prefix = rule.key
      }
      expiration {
        days = rule.value
      }
      noncurrent_version_expiration {
        noncurrent_days = 1
      }
    }
  }
  rule {
    id     = "report-versions"
    status = "Enabled"
    filter {
      prefix = "reports/"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.report_noncurrent_expiry_days
    }
  }
  rule {
    id     = "leftovers"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
    expiration {
      expired_object_delete_marker = true
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.store[each.key].arn, "${aws_s3_bucket.store[each.key].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "DenyOutsideAllowList"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.store[each.key].arn, "${aws_s3_bucket.store[each.key].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = local.bucket_principals[each.key]
    }
  }
  # The pipeline roles reach the bucket only from the VPC (its S3 gateway endpoint).
  statement {
    sid       = "DenyPipelineOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.store[each.key].arn, "${aws_s3_bucket.store[each.key].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.pipeline_role_arns
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpce"
      values   = local.pipeline_endpoints
    }
  }
  dynamic "statement" {
    for_each = length(local.bucket_readers[each.key]) > 0 ? [1] : []
    content {
      sid       = "ReadReports"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.store[each.key].arn}/reports/*"]
      principals {
        type        = "AWS"
        identifiers = local.bucket_readers[each.key]
      }
    }
  }
  # `trawl-aws status`: manifests and the components' status (HEAD needs GetObject, which
  # also reads the component: status readers see the raw input, as the pipeline does).
  dynamic "statement" {
    for_each = each.key == "data" && length(var.status_reader_arns) > 0 ? [1] : []
    content {
      sid       = "ReadPackageStatus"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.store[each.key].arn}/packages/*"]
      principals {
        type        = "AWS"
        identifiers = var.status_reader_arns
      }
    }
  }
  dynamic "statement" {
    for_each = each.key == "data" && length(var.uploader_arns) > 0 ? [1] : []
    content {
      sid       = "Upload"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.store[each.key].arn}/incoming/*"]
      principals {
        type        = "AWS"
        identifiers = var.uploader_arns
      }
    }
  }
}

resource "aws_s3_bucket_policy" "store" {
  for_each   = local.buckets
  bucket     = aws_s3_bucket.store[each.key].id
  policy     = data.aws_iam_policy_document.bucket[each.key].json
  depends_on = [aws_s3_bucket_public_access_block.store]
}

resource "aws_s3_bucket_notification" "incoming" {
  bucket = aws_s3_bucket.store["data"].id
  lambda_function {
    lambda_function_arn = aws_lambda_function.stage["intake"].arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "incoming/"
  }
  depends_on = [aws_lambda_permission.s3_intake]
}

resource "aws_dynamodb_table" "packages" {
  name         = "${var.name}-packages"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "package_id"
  attribute {
    name = "package_id"
    type = "S"
  }
  # Set by intake: the item goes once every message about the package is long gone.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }
  point_in_time_recovery {
    enabled = true
  }
}
