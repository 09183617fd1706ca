variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "name" {
  description = "Prefix of every resource name"
  type        = string
  default     = "trawl"
}

variable "lambda_zip" {
  description = "The Lambda package built by examples/aws/packaging/package_lambda.sh"
  type        = string
  default     = "../../build/aws/trawl-lambda.zip"
}

variable "worker_image" {
  description = "The worker image (examples/aws/worker/Dockerfile), pushed to ECR"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the Fargate worker (with a route to S3, SQS and DynamoDB)"
  type        = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "worker_count" {
  type    = number
  default = 1
}

variable "alarm_topic_arn" {
  description = "SNS topic the alarms notify"
  type        = string
}
