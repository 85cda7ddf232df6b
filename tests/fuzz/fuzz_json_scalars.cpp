// Fuzzes the tensorboardX export_scalars_to_json reader with a whole file's bytes: see
// checkReader for the invariants.
//
// The reader takes the object once a feed ends with a complete one, so a growing file that is a
// complete object followed by junk yields that object's records (and a warning), while the same
// finished file read whole is one malformed document. Only well-formed files must therefore read
// the same in chunks (found by this target; tests/fuzz/regressions/fuzz_json_scalars).

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    losslens::fuzz::checkReader(losslens::formats::Format::JsonScalars, losslens::fuzz::asText(data, size),
                                losslens::fuzz::Chunking::SameWhenWellFormed);
    return 0;
}
