#include "exporter/core/file_read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace akash::core {
namespace {

using namespace std::chrono_literals;

class FileReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/akash-file-read-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileReadTest, ReadsARegularFileWithItsMode) {
  const std::string path = dir_ + "/k";
  std::ofstream(path) << "secret\n";
  ASSERT_EQ(chmod(path.c_str(), 0440), 0);
  const SmallFile f = ReadSmallFile(path, 100);
  ASSERT_TRUE(f.ok) << f.error;
  EXPECT_EQ(f.content, "secret\n");
  EXPECT_EQ(f.mode, 0440u);
}

TEST_F(FileReadTest, RefusesWhatIsNotARegularFileOrTooLarge) {
  const std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  SmallFile f = ReadSmallFile(fifo, 100);  // no writer: a plain open() would block forever
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find("not a regular file"), std::string::npos) << f.error;
  f = ReadSmallFile("/dev/zero", 100);
  EXPECT_NE(f.error.find("not a regular file"), std::string::npos) << f.error;
  f = ReadSmallFile(dir_, 100);
  EXPECT_EQ(f.error, "is a directory");
  const std::string big = dir_ + "/big";
  std::ofstream(big) << std::string(101, 'x');
  f = ReadSmallFile(big, 100);
  EXPECT_EQ(f.error, "larger than 100 bytes");
  f = ReadSmallFile(dir_ + "/missing", 100);
  EXPECT_TRUE(f.not_found);
}

TEST_F(FileReadTest, AReadThatHangsTimesOut) {
  // Stands in for a hung network mount: the reader never comes back in time.
  const auto start = std::chrono::steady_clock::now();
  const SmallFile f = RunWithDeadline(
      [] {
        std::this_thread::sleep_for(3s);
        return SmallFile{};
      },
      200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find("timed out after 200 ms"), std::string::npos) << f.error;
}

}  // namespace
}  // namespace akash::core
