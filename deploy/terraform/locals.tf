locals {
  # Function timeouts in seconds. SQS visibility must be at least six times the timeout of
  # the function consuming the queue (AWS's guidance for Lambda event source mappings);
  # check.py enforces it.
  timeouts = {
    intake    = 300
    classify  = 60
    analyze   = 300
    aggregate = 120
  }
  memory = {
    intake    = 1024
    classify  = 1024
    analyze   = 3008
    aggregate = 1024
  }
  visibility = {
    classify  = 360
    light     = 1800
    heavy     = 900
    aggregate = 720
  }
  max_receive_count = 3
  queues            = ["classify", "light", "heavy", "aggregate"]
}
