# trawl's event-driven pipeline on AWS: S3 -> intake -> classify -> analyze (Lambda for
# light components, Fargate for heavy ones) -> aggregate. See docs/hosts.md and, for what
# this configuration protects and how, docs/security.md.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
