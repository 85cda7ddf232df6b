#pragma once
// Sanitized builds run several times slower: the time limits tests assert scale by this factor
// (never their meaning: a limit that proves "the GUI never waits for a 2 s script" stays below 2 s).

#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kSanitizerSlowdown = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr int kSanitizerSlowdown = 3;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif
