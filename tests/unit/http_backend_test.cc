#include "cache/remote/http_backend.h"

#include <gtest/gtest.h>

namespace ddcc {
namespace {

TEST(HttpBackendTest, KeyPaths) {
  Digest key;
  for (size_t i = 0; i < sizeof(key.bytes); ++i) key.bytes[i] = static_cast<uint8_t>(i * 17);
  HttpAddress address = *ParseHttpUrl("http://h:8080/team");
  EXPECT_EQ(HttpBackend::KeyPath(address, HttpLayout::kFlat, key), "/team/" + key.Hex());
  EXPECT_EQ(HttpBackend::KeyPath(address, HttpLayout::kBazel, key),
            "/team/ac/" + key.Hex() + std::string(32, '0'));
  EXPECT_EQ(HttpBackend::KeyPath(*ParseHttpUrl("http://h"), HttpLayout::kFlat, key),
            "/" + key.Hex());
}

}  // namespace
}  // namespace ddcc
