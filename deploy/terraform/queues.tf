# Stage queues, each with a dead-letter queue; "intake" in the dead-letter map is the
# intake function's on-failure destination (an S3 event it gave up on). All encrypted with
# the pipeline's key and reachable over TLS only.
resource "aws_sqs_queue" "dlq" {
  for_each                  = toset(concat(local.queues, ["intake"]))
  name                      = "${var.name}-${each.key}-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.data.arn
}

resource "aws_sqs_queue" "stage" {
  for_each                   = toset(local.queues)
  name                       = "${var.name}-${each.key}"
  visibility_timeout_seconds = local.visibility[each.key]
  message_retention_seconds  = 345600
  kms_master_key_id          = aws_kms_key.data.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = local.max_receive_count
  })
}

locals {
  all_queues = merge({ for k, q in aws_sqs_queue.stage : k => q }, { for k, q in aws_sqs_queue.dlq : "${k}-dlq" => q })
}

data "aws_iam_policy_document" "queue_tls" {
  for_each = local.all_queues
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [each.value.arn]
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
}

resource "aws_sqs_queue_policy" "tls" {
  for_each  = local.all_queues
  queue_url = each.value.id
  policy    = data.aws_iam_policy_document.queue_tls[each.key].json
}
