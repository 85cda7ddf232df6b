#include "core/runs/malloc_arenas.h"

#include <cstdlib> // defines __GLIBC__ where the C library is glibc

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace losslens {

bool useSingleMallocArena()
{
#ifdef __GLIBC__
    return ::mallopt(M_ARENA_MAX, 1) == 1;
#else
    return false;
#endif
}

} // namespace losslens
