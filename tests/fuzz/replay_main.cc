// Without libFuzzer (GCC builds), replays files through the fuzz entry point: every fixture under
// the given directories, once per parser selector. Keeps the fuzz target compiling and exercised
// in the normal test suite; the real fuzzing is scripts/fuzz.sh (clang).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (int selector = 0; selector < 7; ++selector) {
        std::string input(1, static_cast<char>(selector));
        input += body;
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
      }
      ++files;
    }
  }
  std::printf("replayed %zu files through every parser\n", files);
  return files == 0 ? 1 : 0;
}
