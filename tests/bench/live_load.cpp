// live-load: the load generator of tests/bench/live_throughput.py. N threads, each one
// LiveClient (the real C++ client) on 127.0.0.1, send records of T scalars as fast as they can for
// S seconds, then sync. Prints one JSON object: the values per second counted from the start to
// the moment the last sync was answered, i.e. with every value on the server's disk.

#include "core/live/live_client.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace losslens::live;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
    int port = 6464;
    int clients = 8;
    double seconds = 5.0;
    int tags = 16;
    std::string prefix = "bench";
};

bool parse(int argc, char** argv, Args& a)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const char* value = argv[i + 1];
        if (key == "--port")
            a.port = std::atoi(value);
        else if (key == "--clients")
            a.clients = std::atoi(value);
        else if (key == "--seconds")
            a.seconds = std::atof(value);
        else if (key == "--tags")
            a.tags = std::atoi(value);
        else if (key == "--run-prefix")
            a.prefix = value;
        else
            return false;
    }
    return argc % 2 == 1 && a.port > 0 && a.port < 65536 && a.clients > 0 && a.clients <= 64 && a.seconds > 0 &&
           a.seconds <= 600 && a.tags > 0;
}

} // namespace

int main(int argc, char** argv)
{
    Args a;
    if (!parse(argc, argv, a)) {
        std::fprintf(stderr, "usage: live-load [--port P] [--clients N≤64] [--seconds S≤600] [--tags T] [--run-prefix R]\n");
        return 2;
    }
    std::atomic<std::uint64_t> records{0};
    std::atomic<int> synced{0};
    const auto start = Clock::now();
    const auto stopAt = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
    std::vector<std::thread> threads;
    for (int c = 0; c < a.clients; ++c) {
        threads.emplace_back([&, c] {
            LiveClient client({.host = "127.0.0.1", // loopback only
                               .port = static_cast<std::uint16_t>(a.port),
                               .run = a.prefix + "-" + std::to_string(c),
                               .sendThreshold = 256u << 10});
            Record r{a.prefix + "-" + std::to_string(c), 0, 0.0, {}};
            for (int t = 0; t < a.tags; ++t)
                r.scalars.push_back({"loss/t" + std::to_string(t), 0.0, std::nullopt});
            std::uint64_t n = 0;
            // Bounded by time; the clock is read once per 64 records.
            for (; (n & 63) != 0 || Clock::now() < stopAt; ++n) {
                r.step = static_cast<std::int64_t>(n);
                r.wallTime = 1.7e9 + static_cast<double>(n) * 0.01;
                for (int t = 0; t < a.tags; ++t)
                    r.scalars[static_cast<std::size_t>(t)].value = 1.0 / static_cast<double>(n + static_cast<std::uint64_t>(t) + 1);
                client.send(r);
            }
            records += n;
            if (client.sync(60000))
                ++synced;
            else
                std::fprintf(stderr, "live-load: client %d: %s\n", c, client.lastError().c_str());
        });
    }
    for (auto& t : threads)
        t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double values = static_cast<double>(records.load()) * a.tags;
    std::printf("{\"clients\":%d,\"tags\":%d,\"records\":%llu,\"values\":%.0f,\"seconds\":%.3f,\"values_per_second\":%.0f,"
                "\"synced_clients\":%d}\n",
                a.clients, a.tags, static_cast<unsigned long long>(records.load()), values, seconds, values / seconds,
                synced.load());
    return synced == a.clients ? 0 : 1;
}
