# The fingerprint key: 32 random bytes (64 hex digits), one secret for every stage that
# computes fingerprints (analyze and the worker), so reports of one deployment correlate.
# With create_fingerprint_key_value = false the value is put out of band and never enters
# the Terraform state:
#   aws secretsmanager put-secret-value --secret-id <fingerprint_key_secret_arn> \
#     --secret-string "$(openssl rand -hex 32)"
resource "aws_secretsmanager_secret" "fingerprint_key" {
  name_prefix = "${var.name}-fingerprint-key-"
  description = "HMAC key of trawl's finding fingerprints (docs/security.md)"
  kms_key_id  = aws_kms_key.data.arn
}

resource "random_id" "fingerprint_key" {
  count       = var.create_fingerprint_key_value ? 1 : 0
  byte_length = 32
}

resource "aws_secretsmanager_secret_version" "fingerprint_key" {
  count         = var.create_fingerprint_key_value ? 1 : 0
  secret_id     = aws_secretsmanager_secret.fingerprint_key.id
  secret_string = random_id.fingerprint_key[0].hex
}

output "fingerprint_key_secret_arn" {
  value = aws_secretsmanager_secret.fingerprint_key.arn
}
