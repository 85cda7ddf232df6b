#pragma once
// Soak-test knobs: small defaults so CTest finishes fast; the environment makes a longer local
// soak (LOSSLENS_SOAK_SECONDS=600 LOSSLENS_SOAK_SEED=7 ctest -L soak). Every test prints the
// values it ran with, so a failure can be replayed.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace losslens::soak {

/// The integer in environment variable `name`, or `fallback` when unset or not a number.
inline std::int64_t envInt(const char* name, std::int64_t fallback)
{
    const char* text = std::getenv(name);
    if (!text || !*text)
        return fallback;
    char* end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    return end && *end == '\0' ? value : fallback;
}

/// LOSSLENS_SOAK_SEED, or a fixed default so CI runs are reproducible.
inline std::uint64_t seed() { return static_cast<std::uint64_t>(envInt("LOSSLENS_SOAK_SEED", 20261129)); }

/// LOSSLENS_SOAK_SECONDS (a test's wall-clock budget), or `fallback`.
inline std::chrono::milliseconds duration(std::int64_t fallbackSeconds)
{
    return std::chrono::milliseconds(envInt("LOSSLENS_SOAK_SECONDS", fallbackSeconds) * 1000);
}

/// One line on stdout saying how to replay this run.
inline void announce(const char* test, const std::string& parameters)
{
    std::printf("soak %s: %s (LOSSLENS_SOAK_SEED=%llu)\n", test, parameters.c_str(),
                static_cast<unsigned long long>(seed()));
    std::fflush(stdout);
}

} // namespace losslens::soak
