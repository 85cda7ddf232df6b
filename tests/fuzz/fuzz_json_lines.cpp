// Fuzzes the json lines reader with a whole file's bytes: see checkReader for the invariants.

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    losslens::fuzz::checkReader(losslens::formats::Format::JsonLines, losslens::fuzz::asText(data, size));
    return 0;
}
