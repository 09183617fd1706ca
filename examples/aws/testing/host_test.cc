// Unit tests of the hosts' event parsing, encoding and JSON helpers (examples/aws/host/).
// The AWS calls and the Runtime API loop are covered end to end by e2e.py, and the
// signatures by sigv4_golden.py.
#include <gtest/gtest.h>

#include <cstdlib>

#include "host/aws.h"
#include "host/events.h"
#include "host/http.h"
#include "host/json.h"

namespace trawl_host {
namespace {

TEST(UriTest, DecodesS3NotificationKeys) {
  // S3 notifications encode keys as HTML forms do: '+' for space, %XX for the rest.
  EXPECT_EQ(UriDecode("incoming/sample+package%2B%28v2%29.tar.gz", true),
            "incoming/sample package+(v2).tar.gz");
  EXPECT_EQ(UriDecode("a+b", false), "a+b");
  EXPECT_EQ(UriDecode("bad%2", true), "bad%2");  // a cut escape stays as it is
  EXPECT_EQ(UriDecode("%e2%82%ac", true), "\xe2\x82\xac");
}

TEST(UriTest, EncodesAllButUnreserved) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g+h", false), "a%20b/c~d_e.f-g%2Bh");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("\xe2\x82\xac", true), "%E2%82%AC");
}

TEST(EventsTest, ParsesS3NotificationAndSkipsOtherEvents) {
  const std::string event = R"({"Records":[
    {"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
     "s3":{"bucket":{"name":"b"},"object":{"key":"incoming/my+file%21.tgz","size":42}}},
    {"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete",
     "s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}}]})";
  EXPECT_EQ(DetectEvent(event), EventKind::kS3);
  std::vector<S3ObjectRef> objects;
  std::string error;
  ASSERT_TRUE(ParseS3Event(event, &objects, &error)) << error;
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].bucket, "b");
  EXPECT_EQ(objects[0].key, "incoming/my file!.tgz");
  EXPECT_EQ(objects[0].size, 42);
}

TEST(EventsTest, SkipsTestEventsAndFolderMarkers) {
  std::vector<S3ObjectRef> objects;
  std::string error;
  EXPECT_TRUE(ParseS3Event(R"({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"})",
                           &objects, &error));
  EXPECT_TRUE(objects.empty());
  EXPECT_TRUE(ParseS3Event(R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
      "s3":{"bucket":{"name":"b"},"object":{"key":"incoming/","size":0}}}]})",
                           &objects, &error));
  EXPECT_TRUE(objects.empty());
}

TEST(EventsTest, RejectsWhatIsNotAnEvent) {
  std::vector<S3ObjectRef> objects;
  std::vector<SqsRecord> records;
  std::string error;
  EXPECT_FALSE(ParseS3Event("{\"foo\":1}", &objects, &error));
  EXPECT_FALSE(ParseSqsEvent("not json", &records, &error));
  EXPECT_FALSE(ParseSqsEvent(R"({"Records":[{"body":"x"}]})", &records, &error));  // no id
  EXPECT_EQ(DetectEvent("{}"), EventKind::kOther);
}

TEST(EventsTest, ParsesSqsBatchAndAnswersPartialFailures) {
  const std::string event = R"({"Records":[
    {"messageId":"m1","receiptHandle":"r1","body":"{\"a\":1}","eventSource":"aws:sqs",
     "attributes":{"ApproximateReceiveCount":"3"}},
    {"messageId":"m2","receiptHandle":"r2","body":"two","eventSource":"aws:sqs"}]})";
  EXPECT_EQ(DetectEvent(event), EventKind::kSqs);
  std::vector<SqsRecord> records;
  std::string error;
  ASSERT_TRUE(ParseSqsEvent(event, &records, &error)) << error;
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].body, "{\"a\":1}");
  EXPECT_EQ(records[0].receive_count, 3);
  EXPECT_EQ(records[1].receive_count, 1);
  EXPECT_EQ(BatchItemFailures({}), R"({"batchItemFailures":[]})");
  EXPECT_EQ(BatchItemFailures({"m1", "m\"2"}),
            R"({"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m\"2"}]})");
}

TEST(JsonTest, QuotesAndReadsBack) {
  const std::string quoted = JsonQuote("a\"b\\c\n\x01 \xc3\xa9");
  EXPECT_EQ(quoted, "\"a\\\"b\\\\c\\n\\u0001 \xc3\xa9\"");
  JsonDoc doc("{\"s\":" + quoted + ",\"n\":\"12\",\"i\":7,\"a\":[\"x\",1,\"y\"]}");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc.String("/s").value(), "a\"b\\c\n\x01 \xc3\xa9");
  EXPECT_EQ(doc.Int("/n").value(), 12);  // DynamoDB numbers are strings
  EXPECT_EQ(doc.Int("/i").value(), 7);
  EXPECT_EQ(doc.Strings("/a"), (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(doc.String("/missing").has_value());
}

TEST(CredentialsTest, ComeFromTheEnvironmentWithoutContainerEndpoint) {
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
  setenv("AWS_SESSION_TOKEN", "token", 1);
  HttpClient http;
  std::string error;
  std::optional<Credentials> c = LoadCredentials(&http, &error);
  ASSERT_TRUE(c.has_value()) << error;
  EXPECT_EQ(c->access_key_id, "AKIDTEST");
  EXPECT_EQ(c->session_token, "token");
  unsetenv("AWS_ACCESS_KEY_ID");
  EXPECT_FALSE(LoadCredentials(&http, &error).has_value());
  EXPECT_NE(error.find("no credentials"), std::string::npos);
}

TEST(CredentialsTest, ContainerEndpointFailureIsReported) {
  // Port 9 on loopback: nothing listens, the connection is refused at once.
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", 1);
  HttpClient http;
  std::string error;
  EXPECT_FALSE(LoadCredentials(&http, &error).has_value());
  EXPECT_NE(error.find("container credentials endpoint"), std::string::npos) << error;
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

}  // namespace
}  // namespace trawl_host
