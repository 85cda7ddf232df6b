#pragma once
// Process-wide allocator policy for programs that load large logs.

namespace losslens {

/// Makes every thread allocate from glibc's main arena; call it first thing in main(), before
/// any thread starts. malloc_trim() returns all of the main arena's free memory to the system,
/// but never the top of a per-thread arena: there the loader's parser threads kept their
/// read-ahead buffers resident after a load (0.8 bytes per point on a 50 M-point logdir, measured
/// with tests/bench/scale.sh; one arena: 0.13, with the same load time). Returns false where the
/// C library has no such setting.
bool useSingleMallocArena();

} // namespace losslens
